/**
 * The ACP product feed: one item per variant of the published catalogue, in
 * the request's locale and currency, its facts equal to what every channel
 * shows (audited), as JSON and as CSV.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditFeed, feedCsv, feedItems, feedPrice } from "../../src/acp/feed";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus } from "../helpers/app";
import { CONTENT_DIR } from "../helpers/demo";

async function demoApp() {
  const t = await createTestApp();
  const report = await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
  expect(report.problems).toEqual([]);
  return t;
}

describe("GET /v1/feeds/acp", () => {
  it("lists every published variant with the required fields, the channels' prices and availability, audited clean; it needs catalog:read", async () => {
    const t = await demoApp();
    expect((await t.request("GET", "/v1/feeds/acp")).status).toBe(401);
    const reader = await t.auth("catalog:read");
    const feed = await expectStatus(await t.request("GET", "/v1/feeds/acp?locale=fr", { headers: reader }), 200);
    expect(feed.locale).toBe("fr");
    expect(feed.violations).toEqual([]);
    const product = await expectStatus(await t.request("GET", "/v1/products/merino-crew-sweater?locale=fr"), 200);
    expect(feed.items.filter((i: any) => i.group_id === "merino-crew-sweater")).toHaveLength(product.variants.length);
    const item = feed.items.find((i: any) => i.item_id === "MER-CRE-SWE-S-NAVY");
    expect(item).toMatchObject({
      title: `${product.title} - ${product.variants[0].title}`,
      url: product.url,
      price: "110.00 EUR",
      sale_price: "89.00 EUR",
      is_eligible_search: true,
      // This app takes no payments (PAYMENTS_MODE unset): no in-line checkout is promised.
      is_eligible_checkout: false,
      group_id: "merino-crew-sweater",
      listing_has_variations: true,
      seller_name: "Fjord & Pine",
    });
    expect(item.image_url).toBe(product.media[0].url);
    for (const i of feed.items) {
      for (const field of ["item_id", "title", "description", "url", "brand", "image_url", "price", "availability", "seller_name"]) {
        expect(i[field], `${i.item_id} ${field}`).not.toBe("");
      }
      expect(["in_stock", "out_of_stock", "pre_order"]).toContain(i.availability);
    }
    const csv = await t.request("GET", "/v1/feeds/acp?locale=fr&format=csv", { headers: reader });
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]!.startsWith("item_id,title,description,url,is_eligible_search,is_eligible_checkout,brand,price")).toBe(true);
    expect(lines).toHaveLength(feed.items.length + 1);
  });

  it("the audit catches a feed whose price or availability drifts from the channels", async () => {
    const t = await demoApp();
    const product = await expectStatus(await t.request("GET", "/v1/products/enamel-mug"), 200);
    const items = feedItems(product, { sellerName: "Shop", baseUrl: "https://shop.example" });
    expect(auditFeed(items, [product])).toEqual([]);
    const drifted = items.map((i) => ({ ...i, price: "1.00 EUR", sale_price: "", availability: "out_of_stock" }));
    expect(auditFeed(drifted, [product]).map((v) => v.field)).toEqual(
      product.variants.flatMap((v: any) => (v.availability === "out_of_stock" ? ["price"] : ["price", "availability"])),
    );
    expect(auditFeed([], [product]).map((v) => v.field)).toEqual(product.variants.map(() => "item_id"));
  });

  it("writes money in minor units per currency, and neutralises spreadsheet formulas in CSV", () => {
    expect(feedPrice(8900, "EUR")).toBe("89.00 EUR");
    expect(feedPrice(1500, "JPY")).toBe("1500 JPY");
    expect(feedPrice(5, "USD")).toBe("0.05 USD");
    const [item] = feedItems(
      {
        slug: "x",
        locale: "en",
        url: "https://shop.example/products/x",
        title: '=HYPERLINK("http://evil")',
        summary: "",
        description: 'a, b\n"c"',
        categories: [],
        media: [],
        attributes: [],
        price: { amount: 100, currency: "EUR", formatted: "€1.00" },
        availability: "in_stock",
        variants: [
          {
            sku: "X-1",
            title: "X",
            options: {},
            price: { amount: 100, currency: "EUR", formatted: "€1.00" },
            compareAtPrice: null,
            availability: "in_stock",
          },
        ],
        revision: 1,
        publishedAt: "2026-01-01T00:00:00Z",
      },
      { sellerName: "Shop", baseUrl: "https://shop.example" },
    );
    const row = feedCsv([item!]).split("\r\n")[1]!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(feedCsv([item!])).toContain('"a, b\n""c"""');
  });

  it("unison feed acp <file> writes the same feed from the database, JSON or CSV by the file name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-feed-"));
    const root = join(import.meta.dirname, "../..");
    const unison = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin/unison.mjs"), ...args, "--db", join(dir, "u.db")], {
        cwd: root,
        encoding: "utf8",
        timeout: 90_000,
        env: { ...process.env, PUBLIC_BASE_URL: "https://shop.example" },
      });
    try {
      expect(unison("import", "content").status).toBe(0);
      const json = unison("feed", "acp", join(dir, "feed.json"), "--locale", "fr");
      expect(json.status, json.stderr).toBe(0);
      const items = JSON.parse(await readFile(join(dir, "feed.json"), "utf8"));
      expect(items.find((i: any) => i.item_id === "MER-CRE-SWE-S-NAVY")).toMatchObject({
        sale_price: "89.00 EUR",
        url: "https://shop.example/products/merino-crew-sweater",
      });
      expect(unison("feed", "acp", join(dir, "feed.csv")).status).toBe(0);
      expect((await readFile(join(dir, "feed.csv"), "utf8")).split("\r\n")[0]).toMatch(/^item_id,title,/);
      // Another base URL, given with a trailing slash: its links have one slash.
      expect(unison("feed", "acp", join(dir, "cdn.json"), "--base-url", "https://cdn.example/shop/").status).toBe(0);
      const cdn = await readFile(join(dir, "cdn.json"), "utf8");
      expect(cdn).toContain('"url": "https://cdn.example/shop/products/merino-crew-sweater"');
      expect(cdn).not.toContain("shop//");
      expect(unison("feed", "rss", join(dir, "x")).status).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
