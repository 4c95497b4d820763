import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentSchemas } from "../../scripts/content-schemas";
import { bundleFromJson, exportContent, importContent } from "../../src/catalogue/content";
import { readContentDir, writeContentFile } from "../../src/cli/content-files";
import { openSqlite } from "../../src/node/sqlite";
import { dump } from "../helpers/snapshot";

const CONTENT = join(import.meta.dirname, "../../content");
const ctx = { keyId: null, now: new Date("2026-11-24T12:00:00Z") };

async function filesUnder(dir: string, sub = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe("content/: one source as files", () => {
  it("the demo store validates and imports completely: every file becomes a published entity", async () => {
    const db = openSqlite(":memory:");
    const bundle = await readContentDir(CONTENT);
    expect(bundle.products.length).toBeGreaterThanOrEqual(30);
    expect(bundle.messages.length).toBeGreaterThanOrEqual(10);
    const report = await importContent(db, bundle, ctx);
    expect(report.problems).toEqual([]);
    expect(report.products.created).toBe(bundle.products.length);
    expect(report.messages.created).toBe(bundle.messages.length);
    expect(report.actions.created).toBe(bundle.actions.length);
    const live = db.client.prepare("SELECT COUNT(*) AS n FROM published_products").get() as { n: number };
    expect(live.n).toBe(bundle.products.length);
    const availabilities = db.client.prepare("SELECT DISTINCT availability AS a FROM published_products ORDER BY a").all();
    expect(availabilities).toEqual([{ a: "in_stock" }, { a: "low_stock" }, { a: "out_of_stock" }, { a: "preorder" }]);
  });

  it("re-importing unchanged files reports everything unchanged and creates no revision", async () => {
    const db = openSqlite(":memory:");
    const bundle = await readContentDir(CONTENT);
    await importContent(db, bundle, ctx);
    const before = dump(db);
    const again = await importContent(db, bundle, ctx);
    expect(again.products).toEqual({ created: 0, updated: 0, unchanged: bundle.products.length });
    expect(again.messages.unchanged).toBe(bundle.messages.length);
    expect(again.locales.unchanged).toBe(2);
    expect(dump(db)).toEqual(before);
  });

  it("a changed file is updated with a new revision, and a changed stock is applied without one", async () => {
    const db = openSqlite(":memory:");
    const bundle = await readContentDir(CONTENT);
    await importContent(db, bundle, ctx);
    const hat = bundle.products.find((p) => p.path === "products/ribbed-beanie.json")!;
    const data = structuredClone(hat.data) as { title: { en: string }; variants: { stock: number }[] };
    data.title.en = "Ribbed wool beanie";
    data.variants[0]!.stock = 1;
    const report = await importContent(db, { ...bundle, products: [{ path: hat.path, data }] }, ctx);
    expect(report.products).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const revs = db.client
      .prepare("SELECT r.number FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.key = 'ribbed-beanie' ORDER BY r.number")
      .all();
    expect(revs).toEqual([{ number: 1 }, { number: 2 }]);
    expect(db.client.prepare("SELECT stock FROM inventory WHERE sku = 'RIB-BEA-FORES'").get()).toEqual({ stock: 1 });
  });

  it("a bundle with broken files reports every problem with file and pointer, and writes nothing", async () => {
    const db = openSqlite(":memory:");
    const good = await readContentDir(CONTENT);
    await importContent(db, good, ctx);
    const before = dump(db);
    const broken = structuredClone(good);
    const p0 = broken.products[0]!.data as Record<string, any>;
    p0.title = { fr: "Sans anglais" };
    p0.variants[0].prices.EUR = -5;
    const p1 = broken.products[1]!.data as Record<string, any>;
    p1.variants[0].sku = (broken.products[2]!.data as Record<string, any>).variants[0].sku;
    const m0 = broken.messages[0]!.data as Record<string, any>;
    m0.kind = "rumour";
    m0.title.de = "Winterschlussverkauf";
    const a0 = broken.actions[0]!.data as Record<string, any>;
    a0.keyword = "STOP";
    broken.products.push({
      path: "products/other-name.json",
      data: { ...(good.products[3]!.data as object), slug: "renamed-x", variants: [{ sku: "NEW-1", prices: { EUR: 1 } }] },
    });
    const report = await importContent(db, broken, ctx);
    const found = report.problems.map((p) => `${p.file}:${p.pointer}`);
    expect(found).toEqual(
      expect.arrayContaining([
        `${broken.products[0]!.path}:/title`,
        `${broken.products[0]!.path}:/variants/0/prices/EUR`,
        `${broken.products[2]!.path}:/variants/0/sku`,
        `${broken.messages[0]!.path}:/kind`,
        `${broken.actions[0]!.path}:/keyword`,
        "products/other-name.json:/slug",
      ]),
    );
    expect(dump(db)).toEqual(before);
  });

  it("cross-file rules: unknown locales in text, missing default locale, duplicate keywords", async () => {
    const db = openSqlite(":memory:");
    const good = await readContentDir(CONTENT);
    const broken = structuredClone(good);
    (broken.messages[1]!.data as Record<string, any>).title.de = "Neu";
    (broken.actions[1]!.data as Record<string, any>).keyword = (broken.actions[0]!.data as Record<string, any>).keyword;
    const report = await importContent(db, broken, ctx);
    expect(report.problems.map((p) => `${p.file}:${p.pointer}`)).toEqual(
      expect.arrayContaining([`${broken.messages[1]!.path}:/title/de`, `${broken.actions[1]!.path}:/keyword`]),
    );
    expect(db.client.prepare("SELECT COUNT(*) AS n FROM entries").get()).toEqual({ n: 0 });
    expect(db.client.prepare("SELECT COUNT(*) AS n FROM locales").get()).toEqual({ n: 0 });
  });

  it("import then export reproduces the content files byte for byte", async () => {
    const db = openSqlite(":memory:");
    await importContent(db, await readContentDir(CONTENT), ctx);
    const out = await mkdtemp(join(tmpdir(), "unison-export-"));
    for (const file of await exportContent(db)) await writeContentFile(out, file);
    const exported = await filesUnder(out);
    const original = (await filesUnder(CONTENT)).filter((f) => f.endsWith(".json") && !f.startsWith("schema/"));
    expect(exported).toEqual(original);
    for (const file of exported) expect(await readFile(join(out, file), "utf8"), file).toBe(await readFile(join(CONTENT, file), "utf8"));
  });

  it("the committed JSON Schemas equal the ones generated from the zod schemas", async () => {
    for (const [name, text] of Object.entries(contentSchemas())) {
      expect(await readFile(join(CONTENT, "schema", name), "utf8"), name).toBe(text);
    }
  });

  it("bundleFromJson names items by index so API problems point at them", async () => {
    const db = openSqlite(":memory:");
    const good = await readContentDir(CONTENT);
    const body = { locales: good.locales!.data, products: [{ slug: "x" }], messages: [], actions: [] };
    const report = await importContent(db, bundleFromJson(body), ctx);
    expect(report.problems[0]?.file).toBe("products[0]");
  });
});

describe("bulk import writes what create + publish write", () => {
  it("an imported product has the same entry state, revision, projection, inventory and audit trail as one created and published by hand", async () => {
    const { createEntry, parseDocument, publishEntry } = await import("../../src/catalogue/entries");
    const { productKind, inventoryInserts } = await import("../../src/catalogue/products");
    const db = openSqlite(":memory:");
    const bundle = await readContentDir(CONTENT);
    const file = bundle.products.find((p) => p.path === "products/merino-crew-sweater.json")!;
    await importContent(db, { ...bundle, products: [file], messages: [], actions: [] }, ctx);

    const other = structuredClone(file.data) as { slug: string; variants: { sku: string; stock: number }[] };
    other.slug = "hand-made";
    for (const v of other.variants) v.sku = `H-${v.sku}`;
    const { variants, ...rest } = other;
    const doc = parseDocument(productKind, { ...rest, variants: variants.map(({ stock: _s, ...v }) => v) });
    const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
      inventoryInserts(orm, id, variants as never, ctx.now.toISOString()),
    );
    await publishEntry(db, productKind, ctx, entry, 1);

    const state = (key: string) => {
      const e = db.client
        .prepare(
          "SELECT id, status, version, last_revision_number AS rev, published_revision_id IS NOT NULL AS live FROM entries WHERE key = ?",
        )
        .get(key) as Record<string, unknown>;
      const id = e.id;
      delete e.id;
      return {
        entry: e,
        audit: db.client
          .prepare("SELECT action, from_version, to_version, from_revision, to_revision FROM audit_log WHERE entity_key = ? ORDER BY id")
          .all(key),
        projection: db.client.prepare("SELECT availability FROM published_products WHERE entry_id = ?").get(id),
        categories: db.client.prepare("SELECT category FROM published_product_categories WHERE entry_id = ? ORDER BY category").all(id),
        fts: db.client.prepare("SELECT COUNT(*) AS n FROM products_fts WHERE entry_id = ?").get(id),
        inventory: db.client
          .prepare("SELECT stock, listed, low_stock_threshold, backorder FROM inventory WHERE entry_id = ? ORDER BY sku")
          .all(id),
      };
    };
    expect(state("merino-crew-sweater")).toEqual(state("hand-made"));
  });
});
