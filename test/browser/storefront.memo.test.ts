/**
 * The storefront remembers its shared frame (categories, live promotions) and whole rendered
 * pages, and must never show what a fresh render would not: after a write (the change stamp),
 * when a promotion's window opens with no write at all (time), and per session (the cart count).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { importContent } from "../../src/catalogue/content";
import { getEntry, withdrawEntry } from "../../src/catalogue/entries";
import { productKind } from "../../src/catalogue/products";
import { readContentDir } from "../../src/cli/content-files";
import { parseConfig } from "../../src/env";
import type { SqliteDatabase } from "../../src/node/sqlite";
import { compiledSql, freshDb } from "../helpers/db";
import { BASE_URL, CONTENT_DIR } from "../helpers/demo";

let db: SqliteDatabase;
let now: Date;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  now = new Date("2027-02-28T23:59:00Z");
  db = await freshDb(now);
  const report = await importContent(db, await readContentDir(CONTENT_DIR), { keyId: null, now });
  expect(report.problems).toEqual([]);
  app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: BASE_URL }),
    clock: () => now,
    log: () => {},
  });
});

async function page(path: string, cookie?: string) {
  const res = await app.request(path, { headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(200);
  return { body: await res.text(), etag: res.headers.get("etag") };
}

/** A form post, as the storefront's own forms send it. */
function post(path: string, form: Record<string, string>, cookie?: string) {
  return app.request(path, {
    method: "POST",
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL, ...(cookie ? { cookie } : {}) },
  });
}

/** Adds to the session's cart (a new session when none is given); the session's cookie. */
async function addToCart(sku: string, quantity: number, cookie?: string) {
  const res = await post("/actions/add_to_cart", { sku, quantity: String(quantity) }, cookie);
  expect(res.status).toBe(303);
  return (
    cookie ??
    res.headers
      .getSetCookie()
      .map((line) => line.split(";")[0]!)
      .find((pair) => pair.startsWith("unison_session="))!
  );
}

describe("the storefront's memo", () => {
  it("shows a promotion on every page from the moment its window opens, with no write in between", async () => {
    for (const path of ["/", "/products/merino-crew-sweater", "/categories/knitwear", "/messages/spring_camping_preview"]) {
      expect((await page(path)).body, path).not.toContain("SPRING15: 15% off tents");
    }
    const before = await page("/products/merino-crew-sweater");
    now = new Date("2027-03-01T00:00:01Z");
    for (const path of ["/", "/products/merino-crew-sweater", "/categories/knitwear", "/messages/spring_camping_preview"]) {
      expect((await page(path)).body, path).toContain("SPRING15: 15% off tents");
    }
    expect((await page("/products/merino-crew-sweater")).etag).not.toBe(before.etag);
  });

  it("a repeat request gets the same bytes; a published change and a new category show on the next request", async () => {
    const first = await page("/products/merino-crew-sweater");
    expect(await page("/products/merino-crew-sweater")).toEqual(first);
    expect(first.body).not.toContain("Lanterns");

    const bundle = await readContentDir(CONTENT_DIR);
    const sweater = bundle.products.find((p) => (p.data as { slug: string }).slug === "merino-crew-sweater")!.data as {
      title: Record<string, string>;
      slug: string;
    };
    sweater.title.en = "Merino crew sweater, renamed";
    const lantern = structuredClone(bundle.products[0]!.data) as { variants: { sku: string }[] } & Record<string, unknown>;
    Object.assign(lantern, {
      slug: "storm-lantern",
      categories: ["lanterns"],
      variants: [{ ...lantern.variants[0]!, sku: "STORM-LANTERN" }],
    });
    bundle.products.push({ path: "products/storm-lantern.json", data: lantern });
    const report = await importContent(db, bundle, { keyId: null, now }, { publish: true });
    expect(report.problems).toEqual([]);

    const after = await page("/products/merino-crew-sweater");
    expect(after.body).toContain("Merino crew sweater, renamed");
    expect((await page("/")).body).toContain(`href="${BASE_URL}/categories/lanterns"`);
  });

  it("a page reads the database's change stamp once, rendered or remembered (the next write is seen: the test above)", async () => {
    // Counts the real driver's stamp reads (src/node/sqlite.ts `changeStamp`): the locales, the page and the frame memos share one.
    const stampOf = db.changeStamp!.bind(db);
    let reads = 0;
    db.changeStamp = () => {
      reads++;
      return stampOf();
    };
    for (const path of ["/", "/products/merino-crew-sweater", "/categories/knitwear", "/messages/spring_camping_preview"]) {
      for (const round of ["rendered", "remembered"]) {
        reads = 0;
        await page(path);
        expect(reads, `${path} ${round}`).toBe(1);
      }
    }
  });

  it("a session with a cart sees its count; a visitor without a session never sees it", async () => {
    const anonymous = await page("/products/merino-crew-sweater");
    expect(anonymous.body).not.toContain("Cart (");
    const added = await app.request("/actions/add_to_cart", {
      method: "POST",
      body: new URLSearchParams({ sku: "MER-CRE-SWE-S-OAT", quantity: "2" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL },
    });
    expect(added.status).toBe(303);
    const session = added.headers
      .getSetCookie()
      .map((line) => line.split(";")[0]!)
      .find((pair) => pair.startsWith("unison_session="))!;
    expect((await page("/products/merino-crew-sweater", session)).body).toContain("Cart (2)");
    expect((await page("/products/merino-crew-sweater")).body).not.toContain("Cart (");
    expect((await page("/products/merino-crew-sweater", "unison_session=AAAAAAAAAAAAAAAAAAAAAAAA")).body).not.toContain("Cart (");
  });

  it("a page's cart count is the cart's own item count: every line's quantity, a line whose product was withdrawn too", async () => {
    const add = addToCart;
    const session = await add("MER-CRE-SWE-S-OAT", 2);
    await add("ALP-CAR-S-CHARC", 3, session);
    await add("MER-CRE-SWE-S-OAT", 1, session);
    const pages = ["/", "/products/merino-crew-sweater", "/categories/knitwear", "/messages/spring_camping_preview"];
    // The oracle: the cart page, whose count is its view's (src/journeys/carts.ts cartView).
    expect((await page("/cart", session)).body).toContain("Cart (6)");
    for (const path of pages) expect((await page(path, session)).body, path).toContain("Cart (6)");
    // Withdrawn, the cardigan's line stays in the cart (no longer available): the cart still counts it, and so does every page.
    const cardigan = (await getEntry(db, "product", "alpaca-cardigan"))!;
    await withdrawEntry(db, productKind, { keyId: null, now }, cardigan, cardigan.version, "draft");
    expect((await page("/cart", session)).body).toContain("Cart (6)");
    for (const path of pages) expect((await page(path, session)).body, path).toContain("Cart (6)");
  });

  it("keeps the pages asked for often when pages asked for once outnumber it, and says what it did in Cache-Status", async () => {
    const status = async (path: string) => {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
      return res.headers.get("cache-status");
    };
    const hot = "/products/merino-crew-sweater";
    expect(await status(hot)).toBe("unison; fwd=uri-miss; stored");
    expect(await status(hot)).toBe("unison; hit");
    expect(await status(hot)).toBe("unison; hit");
    // Addresses asked for once each (a crawler, or traffic spread over a catalogue far larger than the memo), until
    // far more than it holds (6 MiB) have gone by: once full, none of them is kept in place of the page asked for often.
    const sweep = (i: number) => `/products/ribbed-beanie?sweep=${i}`;
    const said: Record<string, number> = {};
    for (let i = 0; i < 2500; i++) {
      const s = (await status(sweep(i)))!;
      said[s] = (said[s] ?? 0) + 1;
    }
    expect(said["unison; fwd=uri-miss; stored"]).toBeGreaterThan(100);
    expect(said["unison; fwd=uri-miss"]).toBeGreaterThan(100);
    expect(Object.keys(said).sort()).toEqual(["unison; fwd=uri-miss", "unison; fwd=uri-miss; stored"]);
    expect(await status(hot)).toBe("unison; hit");
    // A new address asked for again is more wanted than the least recently used page: kept on its second request.
    const wanted = "/products/ribbed-beanie?campaign=winter";
    expect(await status(wanted)).toBe("unison; fwd=uri-miss");
    expect(await status(wanted)).toBe("unison; fwd=uri-miss; stored");
    expect(await status(wanted)).toBe("unison; hit");
    // A page whose data changed is replaced, whatever its count.
    db.client.exec("UPDATE published_products SET stock = stock WHERE slug = 'merino-crew-sweater'");
    expect(await status(hot)).toBe("unison; fwd=stale; stored");
    expect(await status(hot)).toBe("unison; hit");
  });
});

describe("PAGE_CACHE_BYTES", () => {
  /** The storefront of the same database with its page memo within `bytes`; what each request's Cache-Status said. */
  function within(bytes: string) {
    const sized = createApp({
      renderers,
      platforms,
      resolveDb: () => db,
      config: parseConfig({ PUBLIC_BASE_URL: BASE_URL, PAGE_CACHE_BYTES: bytes }),
      clock: () => now,
      log: () => {},
    });
    return async (path: string) => {
      const res = await sized.request(path);
      expect(res.status, path).toBe(200);
      return { status: res.headers.get("cache-status"), bytes: (await res.arrayBuffer()).byteLength };
    };
  }

  it("0 turns the memo off: every request renders, and says nothing of a cache", async () => {
    const ask = within("0");
    const first = await ask("/products/merino-crew-sweater");
    expect(first.status).toBeNull();
    expect(await ask("/products/merino-crew-sweater")).toEqual(first);
  });

  it("keeps no more than the budget: a page larger than it is never kept, two pages where one fits evict each other", async () => {
    const [a, b] = ["/products/merino-crew-sweater", "/products/ribbed-beanie"];
    const size = (await within("0")(a)).bytes;
    expect(size).toBeGreaterThan(4000);
    const tiny = within(String(size - 1));
    for (let i = 0; i < 3; i++) expect((await tiny(a)).status).toBe("unison; fwd=uri-miss");
    // Room for one page (its bytes, its tag, the bookkeeping) and not for two.
    const one = within(String(size + 1000));
    expect((await one(a)).status).toBe("unison; fwd=uri-miss; stored");
    expect((await one(a)).status).toBe("unison; hit");
    // b is asked for more often than a (TinyLFU admission), then takes the whole budget: a is gone.
    for (let i = 0; i < 3; i++) await one(b);
    expect((await one(b)).status).toBe("unison; hit");
    expect((await one(a)).status).not.toBe("unison; hit");
    // b's product grows past the whole budget: the stale page is not replaced by one too large to keep, and goes.
    db.client
      .prepare("UPDATE published_products SET document = json_set(document, '$.description.en', ?) WHERE slug = 'ribbed-beanie'")
      .run("A long description. ".repeat(200));
    const grown = await one(b);
    expect(grown.bytes).toBeGreaterThan(size + 1000);
    expect(grown.status).toBe("unison; fwd=stale");
    expect((await one(b)).status).toBe("unison; fwd=uri-miss");
  });
});

describe("a shopper's pages", () => {
  it("compile no SQL once warm: every read they make, the session's cart and order too, is a statement prepared once", async () => {
    const session = await addToCart("MER-CRE-SWE-S-OAT", 2);
    const placed = await post("/actions/checkout", { deliveryOption: "pickup" }, session);
    expect(placed.status).toBe(303);
    const order = new URL(placed.headers.get("location")!).pathname;
    await addToCart("ALP-CAR-S-CHARC", 1, session);
    const address = { name: "Ana", email: "ana@example.com", street: "1 Rua Augusta", postcode: "1100-048", city: "Lisboa", country: "PT" };
    const cookie = `${session}; unison_checkout=${encodeURIComponent(JSON.stringify({ address, deliveryOption: "standard" }))}`;
    const paths = ["/", "/products/merino-crew-sweater", "/categories/knitwear", "/messages/spring_camping_preview"];
    paths.push("/cart", "/checkout", "/checkout/delivery", "/checkout/review", order);
    const { compiled, restore } = compiledSql(db);
    try {
      for (const path of paths) {
        await page(path, cookie);
        compiled.length = 0;
        expect((await page(path, cookie)).body, path).toContain("Cart (1)");
        expect(compiled, path).toEqual([]);
      }
    } finally {
      restore();
    }
  });
});
