/**
 * One query suite, two drivers: the same domain code against better-sqlite3
 * and against a real local D1 (workerd's SQLite, via wrangler). D1 has no
 * interactive transactions, so these prove the atomic-write helper and its
 * guards behave the same on both.
 */
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { actionKind } from "../../src/catalogue/actions";
import { storedAnswer } from "../../src/catalogue/answers";
import { contentFiles, exportContent, importContent } from "../../src/catalogue/content";
import { createEntry, parseDocument, publishEntry, updateDraft } from "../../src/catalogue/entries";
import { fallbackChain, loadLocales, saveLocale } from "../../src/catalogue/locales";
import {
  findLiveProduct,
  inventoryInserts,
  listLiveProducts,
  maintainAnswers,
  markStaleAnswers,
  markStalePages,
  productKind,
  productView,
  refreshProductAnswers,
  setStock,
} from "../../src/catalogue/products";
import { catalogueActions, productForDisplay, productSource } from "../../src/channels/load";
import { pageBuilder, storedProductPage } from "../../src/channels/pages";
import type { CatalogueAction } from "../../src/channels/views";
import { readContentDir } from "../../src/cli/content-files";
import { type Database, raw } from "../../src/db/client";
import { openD1 } from "../../src/db/d1";
import { parseConfig } from "../../src/env";
import { ApiError } from "../../src/lib/errors";
import { newId } from "../../src/lib/ids";
import { openSqlite } from "../../src/node/sqlite";
import { bothDrivers, type LocalD1, localD1 } from "../helpers/d1";
import { productDoc } from "../helpers/db";
import { CONTENT_DIR, DEMO_NOW } from "../helpers/demo";

const ctx = { keyId: null, now: new Date("2026-11-24T12:00:00Z") };
const BASE = "https://shop.example";
const { drivers, dispose } = bothDrivers();
const opened: LocalD1[] = [];
afterAll(async () => {
  await dispose();
  await Promise.all(opened.map((d) => d.dispose()));
});

async function seeded(open: () => Promise<Database>) {
  const db = await open();
  await saveLocale(db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, ctx.now);
  await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, ctx.now);
  return db;
}

/** Creates and publishes `wool-hat`, 40 in stock (its publish marks it due for its stored answers). */
async function publishWoolHat(db: Database) {
  const doc = parseDocument(productKind, productDoc("wool-hat"));
  const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
    inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 40 }], ctx.now.toISOString()),
  );
  await publishEntry(db, productKind, ctx, entry, 1);
}

async function count(db: Database, table: string): Promise<number> {
  const row = (await db.orm.get(sql.raw(`SELECT COUNT(*) AS n FROM ${table}`))) as { n: number };
  return row.n;
}

// Each case opens its own local D1 through wrangler (~10 s on a quiet machine, 20 s under load): more than the
// suite's 20 s default leaves.
describe.each(drivers)("on %s", { timeout: 60_000 }, (driver, open) => {
  it("creates, publishes and serves a product, with FTS search", async () => {
    const db = await seeded(open);
    expect(db.driver).toBe(driver);
    const doc = parseDocument(productKind, productDoc("wool-hat", { title: { en: "Merino beanie", fr: "Bonnet en laine" } }));
    const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
      inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 9 }], ctx.now.toISOString()),
    );
    await publishEntry(db, productKind, ctx, entry, 1);
    expect((await findLiveProduct(db, "wool-hat"))?.revision).toBe(1);
    const found = await listLiveProducts(db, { limit: 10, q: "bonnet" });
    expect(found.items.map((i) => i.doc.slug)).toEqual(["wool-hat"]);
    const row = (await db.orm.get(sql`SELECT availability FROM published_products WHERE slug = 'wool-hat'`)) as { availability: string };
    expect(row.availability).toBe("in_stock");
  });

  it("stored answers: a publish and a stock move drop them and mark the product due, the builder writes what the row builds", async () => {
    const db = await seeded(open);
    await publishWoolHat(db);
    const locales = await loadLocales(db);
    const served = async () => {
      const live = (await findLiveProduct(db, "wool-hat"))!;
      const built = JSON.stringify(productView(live.doc, live.stock, live, { locales, locale: "fr", chain: ["fr", "en"], baseUrl: BASE }));
      return { built, stored: await storedAnswer(db, "wool-hat", "fr", locales, BASE) };
    };
    expect(await count(db, "product_answers_due")).toBe(1);
    expect((await served()).stored).toBeNull();
    expect(await refreshProductAnswers(db)).toBe(1);
    expect(await count(db, "product_answers_due")).toBe(0);
    expect(await count(db, "product_answers")).toBe(2);
    const first = await served();
    expect(first.stored).toBe(first.built);

    const inv = (await db.orm.get(sql`SELECT version FROM inventory WHERE sku = 'WOOL-HAT-M'`)) as { version: number };
    await setStock(db, "WOOL-HAT-M", 0, inv.version, ctx.now);
    expect(await count(db, "product_answers")).toBe(0);
    expect(await count(db, "product_answers_due")).toBe(1);
    await refreshProductAnswers(db);
    const second = await served();
    expect(second.stored).toBe(second.built);
    expect(JSON.parse(second.built).availability).toBe("out_of_stock");

    // Answers an older release stored in another format: ignored at once, swept and rebuilt by the tick's upkeep.
    await db.orm.run(sql`UPDATE product_answers SET basis = 'an older release', body = '{"older":true}'`);
    expect((await served()).stored).toBeNull();
    expect(await maintainAnswers(db)).toBe(1);
    expect(await count(db, "product_answers_due")).toBe(0);
    const rebuilt = await served();
    expect(rebuilt.stored).toBe(rebuilt.built);
    expect(await markStaleAnswers(db, { sample: true })).toBe(false);
  });

  it("stored pages: built with the answers, read back as the renderer cut them, swept and rebuilt when their basis moves", async () => {
    const db = await seeded(open);
    await publishWoolHat(db);
    const pages = renderers.web.site!.productPages!;
    const builder = pageBuilder(renderers.web.site)!;
    expect(await refreshProductAnswers(db, { pages: builder })).toBe(1);
    const locales = await loadLocales(db);
    const view = { locales, locale: "fr", chain: fallbackChain(locales, "fr"), baseUrl: BASE };
    const live = (await findLiveProduct(db, "wool-hat"))!;
    const cut = pages.parts(
      productForDisplay(productSource(live.doc, live.stock, live, view, await catalogueActions(db, view)), "web"),
      BASE,
    );
    expect(cut?.main).toContain("Titre wool-hat");
    expect(await storedProductPage(db, "wool-hat", view, pages)).toEqual(cut);
    // Stored under another basis (an older renderer): never read; the tick's upkeep marks it due and rebuilds it.
    await db.orm.run(sql`UPDATE product_answers SET page_basis = 'an older release'`);
    expect(await storedProductPage(db, "wool-hat", view, pages)).toBeNull();
    expect(await maintainAnswers(db, builder)).toBe(1);
    expect(await storedProductPage(db, "wool-hat", view, pages)).toEqual(cut);
    expect(await markStalePages(db, builder)).toBe(false);
  });

  it("a search past the ranking bound pages in index order, every match once", async () => {
    const db = await seeded(open);
    const slugs = ["hat-a", "hat-b", "hat-c", "hat-d", "hat-e"];
    for (const slug of slugs) {
      const doc = parseDocument(productKind, productDoc(slug, { title: { en: "Merino beanie", fr: "Bonnet en laine" } }));
      await publishEntry(db, productKind, ctx, await createEntry(db, productKind, ctx, doc), 1);
    }
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listLiveProducts(db, { limit: 2, q: "merino", cursor, rankedMatches: 3 });
      walked.push(...page.items.map((i) => i.doc.slug));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(walked).toEqual(slugs);
  });

  it("exports page by page (keyset on type and key, each page's stock in one parameter) the files of one whole read", async () => {
    const db = await seeded(open);
    for (const [slug, stock] of [
      ["b-hat", 3],
      ["a-hat", 7],
      ["c-hat", 0],
      ["d-hat", 12],
      ["e-hat", 5],
    ] as const) {
      const doc = parseDocument(productKind, productDoc(slug));
      const variants = doc.variants.map((v, i) => ({ ...v, sku: `${slug.toUpperCase()}-${i}`, stock }));
      await createEntry(db, productKind, ctx, { ...doc, variants }, (orm, id) =>
        inventoryInserts(orm, id, variants, ctx.now.toISOString()),
      );
    }
    const paged: { path: string; text: string }[] = [];
    for await (const file of contentFiles(db, { pageSize: 2 })) paged.push(file);
    expect(paged.map((f) => f.path)).toEqual(["locales.json", ...["a", "b", "c", "d", "e"].map((k) => `products/${k}-hat.json`)]);
    expect(paged).toEqual(await exportContent(db));
    const stock = (path: string) =>
      (JSON.parse(paged.find((f) => f.path === path)!.text) as { variants: { stock: number }[] }).variants[0]!.stock;
    expect([stock("products/a-hat.json"), stock("products/d-hat.json"), stock("products/e-hat.json")]).toEqual([7, 12, 5]);
  });

  it("a compare-and-set that loses aborts the whole atomic unit and leaves no guard behind", async () => {
    const db = await seeded(open);
    const doc = parseDocument(productKind, productDoc("wool-hat"));
    const entry = await createEntry(db, productKind, ctx, doc);
    await updateDraft(db, productKind, ctx, entry, 1, { ...doc, title: { en: "First", fr: "Premier" } });
    const auditBefore = await count(db, "audit_log");
    const error = await updateDraft(db, productKind, ctx, entry, 1, { ...doc, title: { en: "Lost", fr: "Perdu" } }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("precondition_failed");
    expect((error as ApiError).extra.currentVersion).toBe(2);
    expect(await count(db, "audit_log")).toBe(auditBefore);
    expect(await count(db, "write_guards")).toBe(0);
    const draft = (await db.orm.get(sql`SELECT draft FROM entries WHERE key = 'wool-hat'`)) as { draft: string };
    expect(JSON.parse(draft.draft).title.en).toBe("First");
  });

  it("the inventory compare-and-set (a guard on changes()) refuses a stale version and changes nothing", async () => {
    const db = await seeded(open);
    const doc = parseDocument(productKind, productDoc("wool-hat"));
    const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
      inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 9 }], ctx.now.toISOString()),
    );
    await publishEntry(db, productKind, ctx, entry, 1);
    await setStock(db, "WOOL-HAT-M", 2, 1, ctx.now);
    const stale = await setStock(db, "WOOL-HAT-M", 50, 1, ctx.now).catch((e) => e);
    expect((stale as ApiError).code).toBe("precondition_failed");
    const row = (await db.orm.get(
      sql`SELECT i.stock, i.version, p.availability FROM inventory i JOIN published_products p ON p.entry_id = i.entry_id`,
    )) as Record<string, unknown>;
    expect(row).toEqual({ stock: 2, version: 2, availability: "low_stock" });
    expect(await count(db, "write_guards")).toBe(0);
  });

  it("a failure in the last statement of an atomic unit leaves nothing applied", async () => {
    const db = await seeded(open);
    const before = await count(db, "audit_log");
    const duplicate = newId("aud");
    const row = { at: ctx.now.toISOString(), keyId: null, action: "test", entityType: "t", entityKey: "k" };
    const failure = await db
      .atomic((_orm) => [
        raw(sql`INSERT INTO audit_log (id, at, action, entity_type, entity_key) VALUES (${newId("aud")}, ${row.at}, 'one', 't', 'k')`),
        raw(sql`INSERT INTO audit_log (id, at, action, entity_type, entity_key) VALUES (${duplicate}, ${row.at}, 'two', 't', 'k')`),
        raw(sql`INSERT INTO audit_log (id, at, action, entity_type, entity_key) VALUES (${duplicate}, ${row.at}, 'dup', 't', 'k')`),
      ])
      .catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(await count(db, "audit_log")).toBe(before);
  });
});

/**
 * A local D1 whose binding counts the statements in flight at once (the real binding underneath: every statement
 * still runs in workerd's SQLite).
 */
async function countingD1() {
  const d1 = await localD1();
  opened.push(d1);
  let now = 0;
  let most = 0;
  // Round trips one after another: a statement sent after one that had answered waits one more than it did.
  let answered = 0;
  let inARow = 0;
  const queries: string[] = [];
  const track = <T>(sent: Promise<T>) => {
    const depth = answered + 1;
    inARow = Math.max(inARow, depth);
    most = Math.max(most, ++now);
    return sent.finally(() => {
      now--;
      answered = Math.max(answered, depth);
    });
  };
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== "function") return value;
        if (name === "bind") return (...args: unknown[]) => statement(value.apply(target, args));
        if (name === "all" || name === "raw" || name === "first" || name === "run")
          return (...args: unknown[]) => track(value.apply(target, args));
        return value.bind(target);
      },
    });
  const binding = new Proxy(d1.binding, {
    get(target, name) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== "function") return value;
      if (name === "batch") return (...args: unknown[]) => track(value.apply(target, args));
      if (name !== "prepare") return value.bind(target);
      return (query: string) => {
        queries.push(query);
        return statement(value.call(target, query));
      };
    },
  });
  return {
    db: openD1(binding),
    mostInFlight: () => most,
    /** The longest chain of round trips each waiting for the one before (what a request's latency adds up). */
    roundTripsInARow: () => inARow,
    sent: () => queries,
    reset: () => {
      most = 0;
      answered = 0;
      inARow = 0;
      queries.length = 0;
    },
  };
}

describe("on d1, round trips", { timeout: 60_000 }, () => {
  it("a stored page and what it must have been stored under are read at once, not one after the other", async () => {
    const { db, mostInFlight, reset } = await countingD1();
    await seeded(async () => db);
    await publishWoolHat(db);
    const pages = renderers.web.site!.productPages!;
    expect(await refreshProductAnswers(db, { pages: pageBuilder(renderers.web.site) })).toBe(1);
    const locales = await loadLocales(db);
    const view = { locales, locale: "en", chain: fallbackChain(locales, "en"), baseUrl: BASE };
    reset();
    const page = await storedProductPage(db, "wool-hat", view, pages);
    expect(page?.main).toContain("Title wool-hat");
    // D1 has no change stamp: the live actions' revisions (the page's basis) are read on every request, with the row.
    expect(mostInFlight()).toBe(2);
  });

  it("a storefront product page sends its frame's queries with its stored page's, and loads its frame once", async () => {
    const { db, mostInFlight, reset, sent } = await countingD1();
    await seeded(async () => db);
    await publishWoolHat(db);
    expect(await refreshProductAnswers(db, { pages: pageBuilder(renderers.web.site) })).toBe(1);
    const app = createApp({
      resolveDb: () => db,
      config: parseConfig({ PUBLIC_BASE_URL: BASE, RATE_LIMIT_PER_MINUTE: "0" }),
      renderers,
      platforms,
      log: () => {},
    });
    reset();
    const res = await app.request("/products/wool-hat");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Title wool-hat");
    // The page and its basis (2) with the frame's promotions, categories and promotion windows (3).
    expect(mostInFlight()).toBe(5);
    expect(sent().filter((q) => q.includes("categor")).length).toBe(1);
  });

  it("actions read alongside their stamp are kept only when they are the stamp's: a publish between the two reads is never served stale", async () => {
    const d1 = await localD1();
    opened.push(d1);
    // A binding that holds the next statement reading the live actions' stamp until it is let go.
    let hold: Promise<void> | null = null;
    let holding = false;
    let release = () => {};
    const answered: string[] = [];
    const statement = (s: D1PreparedStatement, query: string): D1PreparedStatement =>
      new Proxy(s, {
        get(target, name) {
          const value = Reflect.get(target, name) as unknown;
          if (typeof value !== "function") return value;
          if (name === "bind") return (...args: unknown[]) => statement(value.apply(target, args), query);
          if (name !== "all" && name !== "raw" && name !== "first" && name !== "run") return value.bind(target);
          return async (...args: unknown[]) => {
            if (hold && query.includes("group_concat")) {
              const waiting = hold;
              hold = null;
              holding = true;
              await waiting;
            }
            const out = await value.apply(target, args);
            answered.push(query);
            return out;
          };
        },
      });
    const binding = new Proxy(d1.binding, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (name === "prepare") return (query: string) => statement((value as D1Database["prepare"]).call(target, query), query);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const db = await seeded(async () => openD1(binding));
    const actionDoc = (label: string) =>
      parseDocument(actionKind, {
        key: "add_to_cart",
        label: { en: label },
        confirmation: { en: "Added." },
        appliesTo: ["global"],
        keyword: "ADD",
      });
    const entry = await publishEntry(db, actionKind, ctx, await createEntry(db, actionKind, ctx, actionDoc("Add to cart")), 1);
    const locales = await loadLocales(db);
    const view = { locales, locale: "en", chain: fallbackChain(locales, "en"), baseUrl: BASE };
    const labels = (actions: CatalogueAction[]) => actions.map((a) => a.view.label);

    // A cold isolate: modules loaded afresh, holding no actions.
    vi.resetModules();
    const load = await import("../../src/channels/load");
    const client = await import("../../src/db/client");
    const racing = client.readView(db);
    hold = new Promise((resolve) => {
      release = resolve;
    });
    load.prefetchActions(racing); // the stamp (held back) and the rows (answered now, before the publish)
    await vi.waitFor(() => expect(holding && answered.some((q) => q.includes('"revisions"'))).toBe(true));
    const draft = await updateDraft(db, actionKind, ctx, entry, entry.version, actionDoc("Put in bag"));
    await publishEntry(db, actionKind, ctx, draft, draft.version);
    release(); // the stamp is read now: the new revision's
    // The request racing the publish may show the actions it read…
    expect(labels(await load.catalogueActions(racing, view))).toEqual(["Add to cart"]);
    // …but they are not what the stamp names, so no later request is served them under it.
    expect(labels(await load.catalogueActions(client.readView(db), view))).toEqual(["Put in bag"]);
    expect(labels(await load.catalogueActions(client.readView(db), { ...view, baseUrl: `${BASE}/` }))).toEqual(["Put in bag"]);
  });

  it("storefront pages and renders wait only for the round trips their reads need one after another, and show what Node shows", async () => {
    const { db, roundTripsInARow, reset } = await countingD1();
    const node = openSqlite(":memory:");
    const files = await readContentDir(CONTENT_DIR);
    for (const target of [db, node]) {
      const report = await importContent(
        target,
        files,
        { keyId: null, now: DEMO_NOW },
        { publish: true, pages: pageBuilder(renderers.web.site) },
      );
      expect(report.problems).toEqual([]);
      // A product whose text holds a mark stored pages use gets no stored page: its page is rendered whole.
      const doc = parseDocument(productKind, productDoc("marked-hat", { title: { en: "Marked \uFDD1 hat" } }));
      const entry = await createEntry(target, productKind, ctx, doc, (orm, id) =>
        inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 3 }], ctx.now.toISOString()),
      );
      await publishEntry(target, productKind, ctx, entry, 1);
    }
    const appOn = (target: Database, create = createApp) =>
      create({
        resolveDb: () => target,
        config: parseConfig({ PUBLIC_BASE_URL: BASE, RATE_LIMIT_PER_MINUTE: "0" }),
        clock: () => DEMO_NOW,
        renderers,
        platforms,
        log: () => {},
      });
    const [onD1, onNode] = [appOn(db), appOn(node)];
    // A cold isolate (the app's modules loaded afresh, so it holds no actions yet) waits for no more round trips
    // than a warm one: the actions go out with their stamp. (Before, the page read them after it: 4 and 2.)
    for (const [path, trips] of [
      ["/products/marked-hat", 3],
      ["/v1/render/sms/products/alpaca-cardigan", 1],
    ] as const) {
      vi.resetModules();
      const cold = appOn(db, (await import("../../src/app")).createApp);
      reset();
      const res = await cold.request(path);
      expect(roundTripsInARow(), path).toBe(trips);
      expect(await res.text(), path).toBe(await (await onNode.request(path)).text());
    }
    // Each read waits only for what it depends on: the locales (every page negotiates one), then what needs the
    // locale. The frame, the actions' stamp, a message and a search go out with the locales.
    const inARow = {
      "/": 3, // locales → which sort keys cover the locale → the page's products
      "/categories/knitwear": 3,
      "/?q=merino": 2, // locales and the matches' ids → their rows
      "/categories/knitwear?q=merino&locale=fr": 2,
      "/messages/faq_sizing": 1,
      "/messages/no-such-message": 1,
      "/products/alpaca-cardigan": 2, // locales → its stored page
      "/products/no-such-product": 3, // locales → no stored page → no row: the 404 page
      "/products/marked-hat": 3, // locales → no stored page → its row (the actions' stamp, read once, went out first)
      "/v1/render/web/products/marked-hat": 3,
      "/v1/render/web/products/alpaca-cardigan": 2,
      "/v1/render/sms/products/alpaca-cardigan": 1, // the row and the actions' stamp go out with the locales
      "/v1/render/sms/products/alpaca-cardigan?locale=fr": 1,
      "/v1/products/alpaca-cardigan": 2,
      "/v1/messages": 1, // the list goes out with the locales
      "/v1/messages/faq_sizing": 1, // so does the message, for its API view and its renders
      "/v1/render/sms/messages/faq_sizing": 1,
      "/v1/render/web/messages/faq_sizing?locale=fr": 1,
    };
    // A shopper with a cart: every page shows its count, which goes out with the locales too.
    const shopper = async (app: typeof onD1) => {
      const added = await app.request("/actions/add_to_cart", {
        method: "POST",
        body: new URLSearchParams({ sku: "ALP-CAR-S-CHARC", quantity: "2" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
      });
      expect(added.status).toBe(303);
      return added.headers
        .getSetCookie()
        .map((line) => line.split(";")[0]!)
        .find((pair) => pair.startsWith("unison_session="))!;
    };
    const sessions = { d1: await shopper(onD1), node: await shopper(onNode) };
    for (const path of ["/", "/products/alpaca-cardigan", "/messages/faq_sizing", "/cart"]) {
      await onD1.request(path, { headers: { cookie: sessions.d1 } });
      reset();
      const res = await onD1.request(path, { headers: { cookie: sessions.d1 } });
      const trips = roundTripsInARow();
      const oracle = await onNode.request(path, { headers: { cookie: sessions.node } });
      const body = await res.text();
      expect(body, path).toContain("Cart (2)");
      expect(body, path).toBe(await oracle.text());
      // The same chain as without a session: the count was one more read in the first round trip. The cart page
      // reads the cart itself, with the locales (one statement from the session's identity to the lines), then
      // the lines' products and stock.
      expect(trips, path).toBe(path === "/cart" ? 2 : inARow[path as keyof typeof inARow]);
    }
    // The checkout's steps and an order's page read only too (the checkout's state is a cookie): the cart (or the
    // session's customer) goes out with the locales, then its products and stock (the order and its lines).
    const address = { name: "Ana", email: "ana@example.com", street: "1 Rua Augusta", postcode: "1100-048", city: "Lisboa", country: "PT" };
    const state = `unison_checkout=${encodeURIComponent(JSON.stringify({ address, deliveryOption: "standard" }))}`;
    const steps: Record<string, number> = {};
    for (const path of ["/checkout", "/checkout/delivery", "/checkout/review"]) {
      const headers = (session: string) => ({ cookie: `${session}; ${state}` });
      await onD1.request(path, { headers: headers(sessions.d1) });
      reset();
      const res = await onD1.request(path, { headers: headers(sessions.d1) });
      steps[path] = roundTripsInARow();
      const oracle = await onNode.request(path, { headers: headers(sessions.node) });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(await oracle.text());
    }
    const ordered = async (app: typeof onD1, session: string) => {
      const placed = await app.request("/actions/checkout", {
        method: "POST",
        body: new URLSearchParams({ deliveryOption: "pickup" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, cookie: session },
      });
      expect(placed.status).toBe(303);
      return new URL(placed.headers.get("location")!).pathname;
    };
    const orderPages = { d1: await ordered(onD1, sessions.d1), node: await ordered(onNode, sessions.node) };
    await onD1.request(orderPages.d1, { headers: { cookie: sessions.d1 } });
    reset();
    const order = await onD1.request(orderPages.d1, { headers: { cookie: sessions.d1 } });
    steps["/orders/{number}"] = roundTripsInARow();
    const orderOracle = await onNode.request(orderPages.node, { headers: { cookie: sessions.node } });
    const numberless = async (res: Response) => (await res.text()).replaceAll(/UN-[0-9A-Z]{8}/g, "UN-…");
    expect(order.status).toBe(200);
    expect(await numberless(order)).toBe(await numberless(orderOracle));
    // Before: 8, 9, 8 and 7 (the identity, then the cart, then its lines; the count read again for the frame).
    expect(steps).toEqual({ "/checkout": 2, "/checkout/delivery": 2, "/checkout/review": 2, "/orders/{number}": 2 });
    const waited: Record<string, number> = {};
    for (const path of Object.keys(inARow)) {
      // Once before: what an isolate keeps between requests (the actions parsed per locale, prepared statements) is
      // then warm, as it is in a Worker that has served the page before. Nothing else is kept between requests.
      await onD1.request(path);
      reset();
      const res = await onD1.request(path);
      waited[path] = roundTripsInARow();
      const oracle = await onNode.request(path);
      expect(res.status, path).toBe(oracle.status);
      expect(await res.text(), path).toBe(await oracle.text());
    }
    expect(waited).toEqual(inARow);
  });
});
