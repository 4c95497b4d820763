/** A journey-ready app: the action catalogue published, products with stock, and keys for bots and agents. */
import { expect } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { fallbackChain, loadLocales } from "../../src/catalogue/locales";
import type { ViewContext } from "../../src/catalogue/products";
import { smartEncode } from "../../src/channels/sms-text";
import type { Database } from "../../src/db/client";
import { parseConfig } from "../../src/env";
import { FORMAT_OF } from "../../src/journeys/replies";
import { createTestApp, expectStatus, requester, type TestApp } from "../helpers/app";
import { productDoc } from "../helpers/db";

const CONFIRMATIONS: Record<string, [string, string, string]> = {
  view_product: ["View details", "Here are the details.", "VIEW"],
  add_to_cart: ["Add to cart", "Added to your cart.", "ADD"],
  update_quantity: ["Change quantity", "Quantity updated.", "QTY"],
  remove_from_cart: ["Remove", "Removed from your cart.", "REMOVE"],
  view_cart: ["View cart", "Here is your cart.", "CART"],
  checkout: ["Check out", "Your order is placed.", "BUY"],
  order_status: ["Order status", "Here is your order status.", "STATUS"],
  cancel_order: ["Cancel order", "Your order is cancelled.", "CANCELORDER"],
  request_return: ["Return items", "Your return is started.", "RETURN"],
  notify_back_in_stock: ["Notify me", "We'll tell you when it's back.", "NOTIFY"],
  contact_agent: ["Talk to us", "An agent will reply shortly.", "AGENT"],
  rate_experience: ["Rate us", "Thank you for your rating.", "RATE"],
  recommend: ["Recommend us?", "Thank you for your answer.", "NPS"],
  handoff: ["Continue online", "Here is your link to continue.", "WEB"],
};

export interface JourneyApp extends TestApp {
  editor: { authorization: string };
  bot: { authorization: string };
  agent: { authorization: string };
  /** Invokes an action; `key` is the Idempotency-Key (omit for none). */
  act(action: string, body: Record<string, unknown>, options?: { key?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Moves the app's clock forward. */
  advance(ms: number): void;
  /** Publishes a product with one variant per SKU given, with stock. */
  product(slug: string, variants: { sku: string; price: number; stock: number; backorder?: "deny" | "preorder" }[]): Promise<void>;
  stock(sku: string): number;
  count(table: string): number;
}

/**
 * better-sqlite3 is synchronous, so in-process "concurrent" requests run their
 * writes back to back. D1 is a network hop away: other requests run while a
 * batch is in transit. `yieldingWrites` gives the same database that property
 * (every atomic unit waits for the next macrotask first), so concurrent
 * requests really interleave between their reads and their writes.
 */
function yielding(db: Database): Database {
  return {
    orm: db.orm,
    driver: db.driver,
    async atomic(build) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return db.atomic(build);
    },
  };
}

export async function journeyApp(options: { disabled?: string[]; yieldingWrites?: boolean } = {}): Promise<JourneyApp> {
  const base = await createTestApp();
  const t: TestApp = options.yieldingWrites ? withDb(base, yielding(base.db)) : base;
  const editor = await t.auth("catalog:write", "catalog:publish");
  for (const [key, [label, confirmation, keyword]] of Object.entries(CONFIRMATIONS)) {
    const doc = {
      key,
      label: { en: label },
      confirmation: { en: confirmation, fr: `${confirmation} (fr)` },
      appliesTo: ["global"],
      keyword,
      enabled: !options.disabled?.includes(key),
    };
    await expectStatus(await t.request("POST", "/v1/admin/actions", { body: doc, headers: editor }), 201);
    await expectStatus(await t.request("POST", `/v1/admin/actions/${key}/publish`, { headers: { ...editor, "if-match": '"v1"' } }), 200);
  }
  const bot = await t.auth("actions:invoke");
  const agent = await t.auth("customers:read");
  return {
    ...t,
    editor,
    bot,
    agent,
    act(action, body, opts = {}) {
      return t.request("POST", `/v1/actions/${action}`, {
        body,
        headers: { ...bot, ...(opts.key ? { "idempotency-key": opts.key } : {}), ...opts.headers },
      });
    },
    advance(ms) {
      // createTestApp's clock returns this Date object: moving it moves the app's time.
      t.now.setTime(t.now.getTime() + ms);
    },
    async product(slug, variants) {
      const doc = productDoc(slug, {
        variants: variants.map((v) => ({
          sku: v.sku,
          options: { size: v.sku.split("-").at(-1) ?? "M" },
          prices: { EUR: v.price },
          stock: v.stock,
          backorder: v.backorder ?? "deny",
        })),
      });
      await expectStatus(await t.request("POST", "/v1/admin/products", { body: doc, headers: editor }), 201);
      await expectStatus(
        await t.request("POST", `/v1/admin/products/${slug}/publish`, { headers: { ...editor, "if-match": '"v1"' } }),
        200,
      );
    },
    stock(sku) {
      return (t.db.client.prepare("SELECT stock FROM inventory WHERE sku = ?").get(sku) as { stock: number }).stock;
    },
    count(table) {
      return (t.db.client.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    },
  };
}

/** The same test app, served through another `Database` over the same SQLite. */
function withDb(t: TestApp, db: Database): TestApp {
  const app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: "https://shop.example" }),
    clock: () => t.now,
    log: () => {},
  });
  return {
    ...t,
    app,
    request: requester(app),
  };
}

const REPLY_TYPES = {
  sms: "text/plain; charset=utf-8",
  web: "text/html; charset=utf-8",
  mobile: "application/json",
  chat: "application/json; charset=utf-8",
} as const;

/** Parses a successful action response and checks its envelope. */
export async function ok(res: Response, action?: string): Promise<any> {
  const body = await expectStatus(res, 200);
  if (action) expect(body.action).toBe(action);
  // The reply is drawn by the calling channel's renderer, in its platform format.
  const channel = body.reply.channel as keyof typeof FORMAT_OF;
  expect(body.reply.format).toBe(FORMAT_OF[channel]);
  expect(body.reply.contentType).toBe(REPLY_TYPES[body.reply.renderer as keyof typeof REPLY_TYPES]);
  if (channel === "sms") expect(body.reply.body).toContain(smartEncode(body.reply.text));
  else if (body.reply.renderer === "chat" || body.reply.renderer === "mobile") expect(typeof body.reply.body).toBe("object");
  return body;
}

/** A problem response with this status and code. */
export async function problem(res: Response, status: number, code: string): Promise<any> {
  const body = await expectStatus(res, status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(body).toMatchObject({ status, code });
  return body;
}

export const sms = (phone: string) => ({ channel: "sms", identity: { channel: "sms", externalId: phone } });
export const whatsapp = (id: string) => ({ channel: "whatsapp", identity: { channel: "whatsapp", externalId: id } });
export const web = (session: string) => ({ channel: "web", identity: { channel: "web", externalId: session } });

/** The view context a request in the default locale gets (for calling the domain directly). */
export async function viewContextFor(db: Database, locale = "en"): Promise<ViewContext> {
  const locales = await loadLocales(db);
  return { locales, locale, chain: fallbackChain(locales, locale), baseUrl: "https://shop.example" };
}
