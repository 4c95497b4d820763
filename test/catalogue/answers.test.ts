/**
 * Stored delivery answers (src/catalogue/answers.ts, migrations/0015): `GET /v1/products/{slug}` answers from a
 * product's stored JSON when one is stored for the current locale set, and that JSON must be, byte for byte,
 * what the product's row builds. These tests try to make a stored answer lie: a write that bypasses the app, a
 * locale edit, another base URL, a document holding the base URL's mark, a write racing the builder, a platform
 * refusing a statement, a database made before the table existed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { answerBasis, BASE_MARK, storeAnswersStatement, withBase } from "../../src/catalogue/answers";
import { type ContentBundle, importContent } from "../../src/catalogue/content";
import { loadLocales, saveLocale } from "../../src/catalogue/locales";
import { ANSWER_BATCH, maintainAnswers, markStaleAnswers, refreshProductAnswers } from "../../src/catalogue/products";
import { pageBuilder } from "../../src/channels/pages";
import { readContentDir } from "../../src/cli/content-files";
import { MIGRATIONS_DIR, openSqlite, type SqliteDatabase } from "../../src/node/sqlite";
import {
  appOn,
  builtAnswer,
  expectAnswersAreBuilt,
  fileDb,
  publish,
  release,
  STORE_BASE,
  serveTicking,
  storedAnswers,
  track,
} from "../helpers/answers";
import { expectStatus } from "../helpers/app";
import { unison } from "../helpers/cli";
import { productDoc } from "../helpers/db";
import { CONTENT_DIR, DEMO_NOW } from "../helpers/demo";

const BASE = STORE_BASE;

/** A bundle of products only (the database's locales stay), as `POST /v1/admin/import` takes one. */
const productsBundle = (docs: Record<string, unknown>[]): ContentBundle => ({
  locales: null,
  products: docs.map((data, i) => ({ path: `products[${i}]`, data })),
  messages: [],
  actions: [],
});

const due = (db: SqliteDatabase) => (db.client.prepare("SELECT count(*) AS n FROM product_answers_due").get() as { n: number }).n;

describe("stored answers", () => {
  it("are stored by an import for every product and locale, and are what each row builds", async () => {
    const { db } = await fileDb();
    const report = await importContent(db, await readContentDir(CONTENT_DIR), { keyId: null, now: DEMO_NOW });
    expect(report.problems).toEqual([]);
    const slugs = (db.client.prepare("SELECT slug FROM published_products ORDER BY slug").all() as { slug: string }[]).map((r) => r.slug);
    expect(slugs.length).toBeGreaterThan(20);
    expect(due(db)).toBe(0);
    const t = appOn(db);
    for (const slug of slugs) await expectAnswersAreBuilt(db, t.get, slug, BASE);
  });

  it("are read, not built, when stored: the row is not read", async () => {
    const { db } = await fileDb();
    const t = appOn(db, BASE);
    await publish(t, productDoc("wool-hat"));
    // Replace the stored English answer with a marked text of our own: the API must send exactly it.
    const planted = `{"planted":"${BASE_MARK}/x"}`;
    db.client.prepare("UPDATE product_answers SET body = ? WHERE slug = 'wool-hat' AND locale = 'en'").run(planted);
    const res = await t.get("/v1/products/wool-hat?locale=en");
    expect(await res.text()).toBe(`{"planted":"${BASE}/x"}`);
  });

  it("fill in the server's base URL, whatever wrote them and however it escapes", async () => {
    const { db } = await fileDb();
    await publish(
      appOn(db, "https://writer.example"),
      productDoc("wool-hat", { media: [{ url: "/media/hat.jpg", alt: { en: "A hat" } }] }),
    );
    // Another server on the same file: a path with characters that String.replace and JSON treat specially, and a
    // trailing slash, which the configuration drops (its links have one slash).
    const t = appOn(db, "https://cdn.example/shop$&$1/");
    const other = "https://cdn.example/shop$&$1";
    await expectAnswersAreBuilt(db, t.get, "wool-hat", other);
    const body = (await (await t.get("/v1/products/wool-hat")).json()) as { url: string; media: { url: string }[] };
    expect(body.url).toBe("https://cdn.example/shop$&$1/products/wool-hat");
    expect(body.media[0]?.url).toBe("https://cdn.example/shop$&$1/media/hat.jpg");
    for (const [stored, filled] of [
      [`${BASE_MARK}|${BASE_MARK}`, `${other}|${other}`],
      [`${BASE_MARK}${BASE_MARK}`, `${other}${other}`],
      [`a${BASE_MARK}`, `a${other}`],
      ["no mark", "no mark"],
      ["", ""],
    ]) {
      expect(withBase(stored!, other)).toBe(filled);
    }
    expect(withBase(`"${BASE_MARK}"`, 'https://q.example/"\\')).toBe(`"${JSON.stringify('https://q.example/"\\').slice(1, -1)}"`);
  });

  it("are never served under another locale set: a locale edit is read at once and rebuilt by its request", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    await publish(t, productDoc("wool-hat", { variants: [{ sku: "HAT-M", options: { size: "M" }, prices: { EUR: 8900, USD: 9900 } }] }));
    const stale = storedAnswers(db, "wool-hat");
    expect(Object.keys(stale).sort()).toEqual(["en", "fr"]);

    // Changed without a request (as another process would): stored answers stay, and are ignored.
    const fr = (await loadLocales(db)).byCode.get("fr")!;
    await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "USD" }, fr.version, DEMO_NOW);
    expect(storedAnswers(db, "wool-hat")).toEqual(stale);
    expect(due(db)).toBe(1);
    const french = (await (await t.get("/v1/products/wool-hat?locale=fr")).json()) as { price: { currency: string } };
    expect(french.price.currency).toBe("USD");
    await expectAnswersAreBuilt(db, t.get, "wool-hat", BASE, false);

    // Through the API: its request rebuilds every due product's answers under the new set.
    await expectStatus(
      await t.request("PATCH", "/v1/admin/locales/fr", { name: "Français (France)" }, { "if-match": `"v${fr.version + 1}"` }),
      200,
    );
    expect(due(db)).toBe(0);
    expect(storedAnswers(db, "wool-hat").fr!.basis).toBe(answerBasis(await loadLocales(db)));
    await expectAnswersAreBuilt(db, t.get, "wool-hat", BASE);
  });

  it("are dropped by any write of the product's row, even one that bypasses the app", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    await publish(t, productDoc("wool-hat", { variants: [{ sku: "HAT-M", options: { size: "M" }, prices: { EUR: 8900 }, stock: 50 }] }));
    expect(((await (await t.get("/v1/products/wool-hat")).json()) as { availability: string }).availability).toBe("in_stock");
    db.client.exec(`UPDATE published_products SET stock = '{"HAT-M":0}', availability = 'out_of_stock' WHERE slug = 'wool-hat'`);
    expect(storedAnswers(db, "wool-hat")).toEqual({});
    expect(due(db)).toBe(1);
    expect(((await (await t.get("/v1/products/wool-hat")).json()) as { availability: string }).availability).toBe("out_of_stock");
    await expectAnswersAreBuilt(db, t.get, "wool-hat", BASE, false);
    // Deleting the row (as an unpublish does) leaves no answer to serve.
    await refreshProductAnswers(db);
    expect(Object.keys(storedAnswers(db, "wool-hat"))).toHaveLength(2);
    db.client.exec("DELETE FROM published_products WHERE slug = 'wool-hat'");
    expect(storedAnswers(db, "wool-hat")).toEqual({});
    expect((await t.get("/v1/products/wool-hat")).status).toBe(404);
  });

  it("are not stored for a document that holds the base URL's mark itself", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    await publish(t, productDoc("odd-hat", { title: { en: `Odd ${BASE_MARK} hat`, fr: "Chapeau" } }));
    expect(storedAnswers(db, "odd-hat")).toEqual({});
    expect(due(db)).toBe(0);
    const body = (await (await t.get("/v1/products/odd-hat")).json()) as { title: string };
    expect(body.title).toBe(`Odd ${BASE_MARK} hat`);
    await expectAnswersAreBuilt(db, t.get, "odd-hat", BASE, false);
  });

  it("are written only while the row holds what they were built from", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    await publish(t, productDoc("wool-hat"));
    const row = db.client
      .prepare(
        "SELECT entry_id AS entryId, slug, revision_number AS revision, published_at AS publishedAt, stock, document FROM published_products",
      )
      .get() as Parameters<typeof storeAnswersStatement>[0];
    const write = (source: typeof row) => db.atomic(() => [storeAnswersStatement(source, "b", { en: "{}" })]);
    db.client.exec("DELETE FROM product_answers");
    for (const stale of [
      { stock: '{"WOOL-HAT-M":1}' },
      { revision: row.revision - 1 },
      { document: "{}" },
      { publishedAt: "2020-01-01T00:00:00.000Z" },
    ]) {
      await write({ ...row, ...stale });
      expect(storedAnswers(db, "wool-hat"), JSON.stringify(stale)).toEqual({});
    }
    await write(row);
    expect(storedAnswers(db, "wool-hat")).toEqual({ en: { basis: "b", body: "{}" } });
  });

  it("keep a product due when its row moves while its answers are built", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    await publish(t, productDoc("wool-hat"));
    db.client.exec("UPDATE published_products SET stock = stock WHERE slug = 'wool-hat'");
    const mark = (db.client.prepare("SELECT mark FROM product_answers_due").get() as { mark: string }).mark;
    // The row moves between the builder's reads and its write: a real statement, run just before its atomic write.
    const atomic = db.atomic;
    let moved = false;
    db.atomic = (build) => {
      if (!moved) {
        moved = true;
        db.client.exec(`UPDATE published_products SET stock = '{"WOOL-HAT-M":2}' WHERE slug = 'wool-hat'`);
      }
      return atomic.call(db, build);
    };
    try {
      expect(await refreshProductAnswers(db)).toBe(1);
    } finally {
      db.atomic = atomic;
    }
    expect(moved).toBe(true);
    expect(storedAnswers(db, "wool-hat")).toEqual({});
    expect((db.client.prepare("SELECT mark FROM product_answers_due").get() as { mark: string }).mark).not.toBe(mark);
    await refreshProductAnswers(db);
    await expectAnswersAreBuilt(db, t.get, "wool-hat", BASE);
  });

  it("leave a product its reads can build when the database refuses its answers, and never fail the write", async () => {
    const { db } = await fileDb();
    const t = appOn(db);
    // A platform limit, played by a real trigger: the answers of one product are refused.
    db.client.exec(`CREATE TRIGGER refuse_big BEFORE INSERT ON product_answers WHEN NEW.slug = 'big-hat'
      BEGIN SELECT RAISE(ABORT, 'statement too large'); END`);
    const report = await importContent(db, productsBundle([productDoc("big-hat"), productDoc("wool-hat")]), { keyId: null, now: DEMO_NOW });
    expect(report.problems).toEqual([]);
    expect(storedAnswers(db, "big-hat")).toEqual({});
    expect(Object.keys(storedAnswers(db, "wool-hat")).sort()).toEqual(["en", "fr"]);
    expect(due(db)).toBe(0);
    await expectAnswersAreBuilt(db, t.get, "big-hat", BASE, false);

    // The queue itself refusing (nothing can be built): the publish still answers 200, and the failure is logged.
    db.client.exec(`CREATE TRIGGER refuse_clear BEFORE DELETE ON product_answers_due BEGIN SELECT RAISE(ABORT, 'queue refused'); END`);
    await publish(t, productDoc("red-hat"));
    expect(t.logs.some((l) => l.includes("stored answers not rebuilt: queue refused"))).toBe(true);
    await expectAnswersAreBuilt(db, t.get, "red-hat", BASE, false);
  });

  it("left by a release that built them in another format are ignored at once, then swept and rebuilt: a batch a tick, the rest by `unison migrate`", async () => {
    const { db, path } = await fileDb();
    // As the server and the CLI build them: with the storefront's pages (their own sweep: test/catalogue/pages.test.ts).
    const pages = pageBuilder(renderers.web.site);
    const t = appOn(db);
    const count = ANSWER_BATCH + 30;
    const slugs = Array.from({ length: count }, (_, i) => `hat-${String(i).padStart(4, "0")}`);
    expect(
      (await importContent(db, productsBundle(slugs.map((slug) => productDoc(slug))), { keyId: null, now: DEMO_NOW }, { pages })).problems,
    ).toEqual([]);
    expect(await markStaleAnswers(db, { sample: true })).toBe(false);
    // What an upgrade finds: every answer stored under the older release's basis, and one for a locale since removed.
    db.client.exec(`UPDATE product_answers SET basis = 'an older release', body = '{"older":true}'`);
    db.client.exec(`INSERT INTO product_answers (slug, locale, basis, body) VALUES ('hat-0003', 'de', 'an older release', '{}')`);
    const stored = () => (db.client.prepare("SELECT count(*) AS n FROM product_answers").get() as { n: number }).n;
    expect(await t.get("/v1/products/hat-0007?locale=fr").then((r) => r.text())).toBe(await builtAnswer(db, "hat-0007", "fr", BASE));
    // The tick's upkeep: one sample finds them stale; all are dropped and their products due; one batch is built.
    expect(await maintainAnswers(db, pages)).toBe(ANSWER_BATCH);
    expect(due(db)).toBe(count - ANSWER_BATCH);
    expect(stored()).toBe(ANSWER_BATCH * 2);
    expect(await markStaleAnswers(db, { sample: true })).toBe(false);
    await expectAnswersAreBuilt(db, t.get, "hat-0000", BASE);
    await expectAnswersAreBuilt(db, t.get, "hat-0229", BASE, false);
    // `unison migrate` sweeps every stored answer, not a sample: one left stale among current ones is rebuilt too.
    db.client.exec(`UPDATE product_answers SET basis = 'an older release' WHERE slug = 'hat-0150'`);
    release(db);
    const migrated = unison(["migrate", "--db", path]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`${count - ANSWER_BATCH + 1} product(s) given stored answers.`);
    const after = openSqlite(path);
    track(after);
    expect(due(after)).toBe(0);
    expect((after.client.prepare("SELECT count(*) AS n FROM product_answers").get() as { n: number }).n).toBe(count * 2);
    const tAfter = appOn(after);
    for (const slug of ["hat-0003", "hat-0150", "hat-0229"]) await expectAnswersAreBuilt(after, tAfter.get, slug, BASE);
    // Nothing is left to sweep: `unison migrate` again builds nothing.
    expect(unison(["migrate", "--db", path]).stdout).not.toContain("given stored answers");
  });

  it("left stale are rebuilt by the server `npm start` runs, on its outbound ticks", async () => {
    const { db } = await fileDb();
    expect(
      (await importContent(db, productsBundle([productDoc("wool-hat"), productDoc("silk-scarf")]), { keyId: null, now: DEMO_NOW }))
        .problems,
    ).toEqual([]);
    db.client.exec(`UPDATE product_answers SET basis = 'an older release', body = '{"older":true}'`);
    const current = answerBasis(await loadLocales(db));
    const rebuilt = () => (db.client.prepare("SELECT count(*) AS n FROM product_answers WHERE basis = ?").get(current) as { n: number }).n;
    const running = await serveTicking(db);
    try {
      await expect.poll(rebuilt, { timeout: 10_000 }).toBe(4);
      expect(due(db)).toBe(0);
      const served = await fetch(`${running.url}/v1/products/wool-hat?locale=fr`);
      expect(await served.text()).toBe(await builtAnswer(db, "wool-hat", "fr", running.url));
    } finally {
      await running.close();
    }
  });

  it("are built a batch per write request, and all by `unison migrate` on a database made before them", async () => {
    const { db, path } = await fileDb();
    const t = appOn(db);
    const count = ANSWER_BATCH + 30;
    const report = await importContent(
      db,
      productsBundle(Array.from({ length: count }, (_, i) => productDoc(`hat-${String(i).padStart(4, "0")}`))),
      { keyId: null, now: DEMO_NOW },
    );
    expect(report.problems).toEqual([]);
    // As the migration finds a database made before it: answers gone, every live product due.
    db.client.exec("DELETE FROM product_answers");
    const migration = readFileSync(join(MIGRATIONS_DIR, "0015_product_answers.sql"), "utf8").split("--> statement-breakpoint");
    db.client.exec(migration.at(-1)!);
    expect(due(db)).toBe(count);
    expect(await builtAnswer(db, "hat-0007", "en", BASE)).toBe(await (await t.get("/v1/products/hat-0007")).text());
    // One write request builds one batch.
    await expectStatus(await t.request("POST", "/v1/admin/products", productDoc("draft-hat")), 201);
    expect(due(db)).toBe(count - ANSWER_BATCH);
    release(db);
    const migrated = unison(["migrate", "--db", path]);
    expect(migrated.stderr).toBe("");
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`${count - ANSWER_BATCH} product(s) given stored answers.`);
    const after = openSqlite(path);
    track(after);
    expect(due(after)).toBe(0);
    const stored = after.client.prepare("SELECT count(*) AS n FROM product_answers").get() as { n: number };
    expect(stored.n).toBe(count * 2);
    const tAfter = appOn(after);
    for (const slug of ["hat-0000", "hat-0199", "hat-0229"]) await expectAnswersAreBuilt(after, tAfter.get, slug, BASE);
  });
});
