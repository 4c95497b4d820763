/**
 * A live product is read from its one `published_products` row (migrations/0014): the revision's number
 * and document and its listed SKUs' stock are copied there. These tests hold the copy to the tables it
 * copies after every kind of write that moves them — publish, a draft that adds and drops SKUs, rollback,
 * an order, its cancellation, a stock edit, unpublishing — and to what the API then shows; they check the
 * read touches that row alone, and that the migration's backfill writes what publishing writes. After each
 * write, the product's stored answers (migrations/0015) are what its row builds, byte for byte.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { variantAvailability } from "../../src/catalogue/availability";
import { findLiveProduct, liveProductBySlug } from "../../src/catalogue/products";
import { MIGRATIONS_DIR, type SqliteDatabase } from "../../src/node/sqlite";
import { expectAnswersAreBuilt, storedAnswers } from "../helpers/answers";
import { expectStatus } from "../helpers/app";
import { journeyApp, ok, sms } from "../journeys/helpers";

type Row = {
  slug: string;
  entryId: string;
  revisionNumber: number;
  document: string;
  stock: string;
  number: number;
  revisionDocument: string;
};

/** Every read row against what it copies: the revision it names, and the product's listed inventory rows, read apart. */
function expectRowsMatchTheirSources(db: SqliteDatabase): Row[] {
  const rows = db.client
    .prepare(
      `SELECT p.slug, p.entry_id AS entryId, p.revision_number AS revisionNumber, p.document, p.stock,
              r.number, r.document AS revisionDocument
       FROM published_products p JOIN revisions r ON r.id = p.revision_id ORDER BY p.slug`,
    )
    .all() as Row[];
  const live = db.client.prepare("SELECT count(*) AS n FROM entries WHERE type = 'product' AND status = 'published'").get() as {
    n: number;
  };
  expect(rows).toHaveLength(live.n);
  const listed = db.client.prepare("SELECT sku, stock FROM inventory WHERE entry_id = ? AND listed = 1");
  for (const row of rows) {
    expect(row.revisionNumber, row.slug).toBe(row.number);
    expect(row.document, row.slug).toBe(row.revisionDocument);
    const units = Object.fromEntries((listed.all(row.entryId) as { sku: string; stock: number }[]).map((i) => [i.sku, i.stock]));
    expect(JSON.parse(row.stock), row.slug).toEqual(units);
  }
  return rows;
}

describe("a live product's read row", () => {
  it("follows every write that moves it, and the API shows the stock it copies", async () => {
    const t = await journeyApp();
    const editor = t.editor;
    await t.product("lamp", [
      { sku: "LAMP-S", price: 1000, stock: 3 },
      { sku: "LAMP-M", price: 2000, stock: 10 },
    ]);
    await t.product("rug", [{ sku: "RUG-M", price: 5000, stock: 1 }]);
    /** The product as the API serves it, against availability worked out from inventory itself. */
    const served = async (slug: string) => {
      expectRowsMatchTheirSources(t.db);
      // Its stored answers were built again by the write's request, and are what the row builds (src/catalogue/answers.ts).
      await expectAnswersAreBuilt(t.db, (path) => t.request("GET", path), slug, "https://shop.example");
      const view = await expectStatus(await t.request("GET", `/v1/products/${slug}`), 200);
      for (const v of view.variants as { sku: string; availability: string }[]) {
        const row = t.db.client.prepare("SELECT stock, low_stock_threshold AS low, backorder FROM inventory WHERE sku = ?").get(v.sku) as {
          stock: number;
          low: number;
          backorder: "deny" | "preorder";
        };
        expect(v.availability, v.sku).toBe(variantAvailability(row.stock, row.low, row.backorder));
      }
      return view as { revision: number; variants: { sku: string; availability: string }[] };
    };
    const availability = async (slug: string) => Object.fromEntries((await served(slug)).variants.map((v) => [v.sku, v.availability]));
    expect(await availability("lamp")).toEqual({ "LAMP-S": "low_stock", "LAMP-M": "in_stock" });

    // An order takes the small lamps and the only rug; cancelling it puts them back.
    const who = sms("+33650000000");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "LAMP-S", quantity: 3 } }, { key: "a1" }));
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "RUG-M", quantity: 1 } }, { key: "a2" }));
    const placed = await ok(await t.act("checkout", who, { key: "buy" }));
    expect(await availability("lamp")).toEqual({ "LAMP-S": "out_of_stock", "LAMP-M": "in_stock" });
    expect(await availability("rug")).toEqual({ "RUG-M": "out_of_stock" });
    await ok(await t.act("cancel_order", { ...who, input: { orderNumber: placed.result.order.number } }, { key: "cancel" }));
    expect(await availability("lamp")).toEqual({ "LAMP-S": "low_stock", "LAMP-M": "in_stock" });
    expect(await availability("rug")).toEqual({ "RUG-M": "low_stock" });

    // A stock edit.
    const inv = await t.request("GET", "/v1/admin/inventory/LAMP-M", { headers: editor });
    await expectStatus(inv, 200);
    await expectStatus(
      await t.request("PUT", "/v1/admin/inventory/LAMP-M", {
        body: { stock: 0 },
        headers: { ...editor, "if-match": inv.headers.get("etag")! },
      }),
      200,
    );
    expect(await availability("lamp")).toEqual({ "LAMP-S": "low_stock", "LAMP-M": "out_of_stock" });

    // A draft that adds LAMP-L (its stock, 7, is set at once) and drops LAMP-S: the live row keeps its SKUs until it is published.
    await expectStatus(
      await t.request("POST", "/v1/admin/products/lamp/variants", {
        body: { sku: "LAMP-L", options: { size: "L" }, prices: { EUR: 3000 }, stock: 7 },
        headers: { ...editor, "if-match": '"v2"' },
      }),
      200,
    );
    await expectStatus(
      await t.request("DELETE", "/v1/admin/products/lamp/variants/LAMP-S", { headers: { ...editor, "if-match": '"v3"' } }),
      200,
    );
    expect(await availability("lamp")).toEqual({ "LAMP-S": "low_stock", "LAMP-M": "out_of_stock" });
    await expectStatus(await t.request("POST", "/v1/admin/products/lamp/publish", { headers: { ...editor, "if-match": '"v4"' } }), 200);
    expect((await served("lamp")).revision).toBe(2);
    expect(await availability("lamp")).toEqual({ "LAMP-M": "out_of_stock", "LAMP-L": "in_stock" });
    const lamp = expectRowsMatchTheirSources(t.db).find((r) => r.slug === "lamp")!;
    expect(JSON.parse(lamp.stock)).toEqual({ "LAMP-M": 0, "LAMP-L": 7 });

    // Rolling back to revision 1 lists LAMP-S again, with the stock it kept.
    await expectStatus(
      await t.request("POST", "/v1/admin/products/lamp/rollback", { body: { revision: 1 }, headers: { ...editor, "if-match": '"v5"' } }),
      200,
    );
    expect((await served("lamp")).revision).toBe(3);
    expect(await availability("lamp")).toEqual({ "LAMP-S": "low_stock", "LAMP-M": "out_of_stock" });

    // Unpublished: no row, and a 404.
    await expectStatus(await t.request("POST", "/v1/admin/products/rug/unpublish", { headers: { ...editor, "if-match": '"v2"' } }), 200);
    expect(expectRowsMatchTheirSources(t.db).map((r) => r.slug)).toEqual(["lamp"]);
    expect((await t.request("GET", "/v1/products/rug")).status).toBe(404);
    expect(storedAnswers(t.db, "rug")).toEqual({});
    expect(await findLiveProduct(t.db, "rug")).toBeNull();
  });

  it("is read by one seek of the slug index and that row: no other table", async () => {
    const t = await journeyApp();
    await t.product("lamp", [{ sku: "LAMP-S", price: 1000, stock: 3 }]);
    const live = await findLiveProduct(t.db, "lamp");
    expect(live).toMatchObject({ revision: 1, stock: new Map([["LAMP-S", 3]]) });
    const { sql, params } = liveProductBySlug(t.db.orm).toSQL();
    expect(params).toHaveLength(2); // the slug's placeholder and the limit
    const plan = t.db.client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all("lamp", 1) as { detail: string }[];
    expect(plan.map((p) => p.detail)).toEqual(["SEARCH published_products USING INDEX published_products_slug (slug=?)"]);
  });
});

describe("migration 0014", () => {
  it("backfills every live product's row exactly as publishing and the stock refresh write it", async () => {
    const t = await journeyApp();
    await t.product("lamp", [
      { sku: "LAMP-S", price: 1000, stock: 3 },
      { sku: "LAMP-M", price: 2000, stock: 10 },
    ]);
    await t.product("rug", [{ sku: "RUG-M", price: 5000, stock: 1 }]);
    await ok(await t.act("add_to_cart", { ...sms("+33650000001"), input: { sku: "LAMP-S", quantity: 2 } }, { key: "a" }));
    await ok(await t.act("checkout", sms("+33650000001"), { key: "b" }));
    // A SKU the live revision does not list (a draft's new variant) stays out of the row.
    await expectStatus(
      await t.request("POST", "/v1/admin/products/rug/variants", {
        body: { sku: "RUG-L", options: { size: "L" }, prices: { EUR: 6000 }, stock: 4 },
        headers: { ...t.editor, "if-match": '"v2"' },
      }),
      200,
    );
    const written = expectRowsMatchTheirSources(t.db);
    expect(written.map((r) => JSON.parse(r.stock))).toEqual([{ "LAMP-S": 1, "LAMP-M": 10 }, { "RUG-M": 1 }]);
    t.db.client.exec("UPDATE published_products SET revision_number = 0, document = '{}', stock = '{}'");
    const migration = readFileSync(join(MIGRATIONS_DIR, "0014_product_read_row.sql"), "utf8").split("--> statement-breakpoint");
    t.db.client.exec(migration.at(-1)!);
    expect(expectRowsMatchTheirSources(t.db)).toEqual(written);
  });
});
