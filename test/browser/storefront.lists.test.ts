/**
 * The storefront's paged, sorted product lists in-process (`app.request`) on the demo catalogue:
 * `?sort=` and `?page=`, their links, and what bad values do (a bad sort or page number falls back
 * to the default, a page past the end is a 404 page). The expected orders are computed here from
 * the content files, not from the code under test.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";
import { CONTENT_DIR } from "../helpers/demo";

interface DemoProduct {
  slug: string;
  title: Record<string, string>;
  categories: string[];
  variants: { prices: Record<string, number> }[];
}

let t: TestApp;
let demo: DemoProduct[];

beforeEach(async () => {
  t = await createTestApp({ checkContract: false });
  const bundle = await readContentDir(CONTENT_DIR);
  demo = bundle.products.map((f) => f.data as DemoProduct);
  const report = await importContent(t.db, bundle, { keyId: null, now: t.now });
  expect(report.problems).toEqual([]);
});

const byTitle = (a: DemoProduct, b: DemoProduct) =>
  (a.title.en ?? "").toLowerCase().localeCompare((b.title.en ?? "").toLowerCase(), "en") || a.slug.localeCompare(b.slug);
const lowest = (p: DemoProduct) => Math.min(...p.variants.map((v) => v.prices.EUR ?? Number.POSITIVE_INFINITY));
const byPrice = (a: DemoProduct, b: DemoProduct) => lowest(a) - lowest(b) || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);

async function get(path: string, status = 200): Promise<string> {
  const res = await t.app.request(path);
  // As a browser reads attributes: handlebars escapes `=` in URLs.
  const body = (await res.text()).replaceAll("&#x3D;", "=");
  expect(res.status, `${path}: ${body.slice(0, 500)}`).toBe(status);
  return body;
}

/** The slugs of a list page's cards, in page order. */
const slugsOf = (html: string) =>
  [...html.matchAll(/<li class="card">\s*<a href="https:\/\/shop\.example\/products\/([^"]+)">/g)].map((m) => m[1] ?? "");

describe("the catalogue in pages", () => {
  it("shows 12 products in title order (A to Z) by default, page 1 of 3 with a Next link only", async () => {
    const body = await get("/");
    expect(slugsOf(body)).toEqual(
      [...demo]
        .sort(byTitle)
        .slice(0, 12)
        .map((p) => p.slug),
    );
    expect(body).toContain("<p>Page 1 of 3</p>");
    expect(body).toContain('<a rel="next" href="https://shop.example/?page=2">Next page</a>');
    expect(body).not.toContain('rel="prev"');
    // The sort selector is a GET form to the list itself, the current sort selected.
    expect(body).toContain('<form class="sort" method="get" action="https://shop.example/">');
    expect(body).toContain('<option value="title" selected>Name (A to Z)</option>');
  });

  it("walks ?sort=price through every page by Next links: each product once, lowest price first", async () => {
    let url: string | undefined = "/?sort=price";
    const seen: string[] = [];
    const texts: string[] = [];
    while (url) {
      const body = await get(url);
      seen.push(...slugsOf(body));
      texts.push(/<p>(Page \d+ of \d+)<\/p>/.exec(body)?.[1] ?? "");
      url = /<a rel="next" href="https:\/\/shop\.example(\/[^"]*)">/.exec(body)?.[1]?.replaceAll("&amp;", "&");
    }
    expect(seen).toEqual([...demo].sort(byPrice).map((p) => p.slug));
    expect(texts).toEqual(["Page 1 of 3", "Page 2 of 3", "Page 3 of 3"]);
    const last = await get("/?sort=price&page=3");
    expect(last).toContain('<a rel="prev" href="https://shop.example/?sort=price&amp;page=2">Previous page</a>');
    expect(last).toContain('<option value="price" selected>');
  });

  it("puts the most recently published product first with ?sort=newest, the rest by slug", async () => {
    const bundle = await readContentDir(CONTENT_DIR);
    const scarf = bundle.products.find((f) => (f.data as DemoProduct).slug === "wool-scarf")!;
    (scarf.data as DemoProduct).title.en = "Lambswool scarf, new colours";
    const report = await importContent(t.db, bundle, { keyId: null, now: new Date(t.now.getTime() + 60_000) });
    expect(report.problems).toEqual([]);
    const others = demo
      .map((p) => p.slug)
      .filter((s) => s !== "wool-scarf")
      .sort();
    expect(slugsOf(await get("/?sort=newest"))).toEqual(["wool-scarf", ...others].slice(0, 12));
  });

  it("sorts a category's products and pages them on the category's own address", async () => {
    const knitwear = demo.filter((p) => p.categories.includes("knitwear"));
    const body = await get("/categories/knitwear?sort=price");
    expect(slugsOf(body)).toEqual(
      knitwear
        .sort(byPrice)
        .slice(0, 12)
        .map((p) => p.slug),
    );
    expect(body).toContain('<form class="sort" method="get" action="https://shop.example/categories/knitwear">');
  });

  it("falls back to the default for an unknown sort or a page number that is not one, and is a 404 page past the last page", async () => {
    const first = slugsOf(await get("/"));
    expect(slugsOf(await get("/?sort=bogus"))).toEqual(first);
    for (const page of ["0", "-1", "abc", "1.5", "9999999", ""]) expect(slugsOf(await get(`/?page=${page}`))).toEqual(first);
    expect(await get("/?page=4", 404)).toContain("Page not found");
    expect(await get("/categories/knitwear?page=2", 404)).toContain("Page not found");
    expect(await get("/categories/spaceships", 404)).toContain("Page not found");
  });
});

describe("view_product on the web", () => {
  it("is each card's View details on a list page, and absent from the product page it would reload", async () => {
    const list = await get("/");
    expect(list.match(/action="https:\/\/shop\.example\/actions\/view_product"/g)).toHaveLength(12);
    const product = await get("/products/alpaca-cardigan");
    expect(product).not.toContain("/actions/view_product");
    expect(product).not.toContain("View details");
    expect(product).toContain("/actions/add_to_cart");
  });
});
