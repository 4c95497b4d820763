/**
 * The journey writes on both drivers: better-sqlite3 and a real local D1
 * (workerd's SQLite via wrangler), where every batch is a network hop and
 * concurrent requests genuinely interleave. D1 has no interactive
 * transactions: these prove the claim / plan / one-batch commit holds there.
 */
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { actionKind } from "../../src/catalogue/actions";
import { createEntry, parseDocument, publishEntry } from "../../src/catalogue/entries";
import { saveLocale } from "../../src/catalogue/locales";
import { inventoryInserts, productKind } from "../../src/catalogue/products";
import type { Database } from "../../src/db/client";
import { ActionRequestSchema, invokeAction } from "../../src/journeys/invoke";
import { ApiError } from "../../src/lib/errors";
import { bothDrivers } from "../helpers/d1";
import { productDoc } from "../helpers/db";
import { viewContextFor } from "./helpers";

const now = new Date("2026-11-24T12:00:00Z");
const ctx = { keyId: null, now };
const { drivers, dispose } = bothDrivers();
afterAll(dispose);

async function seeded(open: () => Promise<Database>, stock: number) {
  const db = await open();
  await saveLocale(db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, now);
  await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, now);
  for (const key of ["add_to_cart", "checkout"]) {
    const doc = parseDocument(actionKind, {
      key,
      label: { en: key },
      confirmation: { en: `${key} done.` },
      appliesTo: ["global"],
      keyword: key === "checkout" ? "BUY" : "ADD",
    });
    await publishEntry(db, actionKind, ctx, await createEntry(db, actionKind, ctx, doc), 1);
  }
  const doc = parseDocument(
    productKind,
    productDoc("lantern", { variants: [{ sku: "LANTERN-M", options: { size: "M" }, prices: { EUR: 4500 } }] }),
  );
  const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
    inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock }], now.toISOString()),
  );
  await publishEntry(db, productKind, ctx, entry, 1);
  const view = await viewContextFor(db);
  const call = (key: string, body: unknown, idempotencyKey?: string) =>
    invokeAction(db, {
      registry: renderers,
      key,
      request: ActionRequestSchema.parse(body),
      idempotencyKey,
      apiKeyId: "key_test",
      requestId: "req_test",
      view,
      now,
    });
  return { db, call };
}

async function count(db: Database, table: string): Promise<number> {
  return ((await db.orm.get(sql.raw(`SELECT COUNT(*) AS n FROM ${table}`))) as { n: number }).n;
}

async function stockOf(db: Database): Promise<number> {
  return ((await db.orm.get(sql`SELECT stock FROM inventory WHERE sku = 'LANTERN-M'`)) as { stock: number }).stock;
}

const phone = (i: number) => ({ channel: "sms", identity: { channel: "sms", externalId: `+3367000${String(i).padStart(4, "0")}` } });

// Each case opens its own local D1 through wrangler (~10 s on a quiet machine, 20 s under load): more than the
// suite's 20 s default leaves.
describe.each(drivers)("journeys on %s", { timeout: 60_000 }, (_driver, open) => {
  it("an idempotent add_to_cart commits its change and its stored response together, and replays it exactly", async () => {
    const { db, call } = await seeded(open, 5);
    const body = { ...phone(1), input: { sku: "LANTERN-M", quantity: 2 } };
    const first = await call("add_to_cart", body, "k1");
    const again = await call("add_to_cart", body, "k1");
    expect(first).toMatchObject({ status: 200, replayed: false });
    expect(again).toMatchObject({ status: 200, replayed: true, body: first.body });
    expect(((await db.orm.get(sql`SELECT quantity FROM cart_lines`)) as { quantity: number }).quantity).toBe(2);
    const stored = (await db.orm.get(sql`SELECT state, response_body FROM idempotency_keys`)) as { state: string; response_body: string };
    expect(stored).toEqual({ state: "done", response_body: first.body });
    expect(await count(db, "write_guards")).toBe(0);
  });

  it("concurrent checkouts of the last unit: exactly one order, the others out_of_stock, stock 0", async () => {
    const { db, call } = await seeded(open, 1);
    for (let i = 0; i < 6; i++) await call("add_to_cart", { ...phone(i), input: { sku: "LANTERN-M" } }, `add-${i}`);
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => call("checkout", phone(i), `buy-${i}`)));
    expect(outcomes.filter((o) => o.status === 200)).toHaveLength(1);
    const refused = outcomes.filter((o) => o.status === 409).map((o) => JSON.parse(o.body));
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r).toMatchObject({ code: "out_of_stock", skus: ["LANTERN-M"] });
    expect(await stockOf(db)).toBe(0);
    expect(await count(db, "orders")).toBe(1);
    expect(await count(db, "write_guards")).toBe(0);
    const projection = (await db.orm.get(sql`SELECT availability, stock FROM published_products`)) as {
      availability: string;
      stock: string;
    };
    expect(projection).toEqual({ availability: "out_of_stock", stock: '{"LANTERN-M":0}' });
  });

  it("a failure in the last statement of a checkout leaves nothing applied and frees the key", async () => {
    const { db, call } = await seeded(open, 3);
    await call("add_to_cart", { ...phone(1), input: { sku: "LANTERN-M" } }, "add");
    const before = { orders: await count(db, "orders"), lines: await count(db, "cart_lines"), log: await count(db, "interactions") };
    await db.orm.run(
      sql.raw(`CREATE TRIGGER fail_last BEFORE DELETE ON write_guards WHEN OLD.token LIKE 'idg%'
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`),
    );
    const failure = await call("checkout", phone(1), "buy").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApiError);
    await db.orm.run(sql.raw("DROP TRIGGER fail_last"));
    expect(await stockOf(db)).toBe(3);
    expect(await db.orm.get(sql`SELECT availability, stock FROM published_products`)).toEqual({
      availability: "low_stock",
      stock: '{"LANTERN-M":3}',
    });
    expect({ orders: await count(db, "orders"), lines: await count(db, "cart_lines"), log: await count(db, "interactions") }).toEqual(
      before,
    );
    expect(await count(db, "idempotency_keys")).toBe(1); // only add_to_cart's; the checkout's claim was released
    expect((await call("checkout", phone(1), "buy")).status).toBe(200);
    expect(await stockOf(db)).toBe(2);
  });
});
