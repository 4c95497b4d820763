/**
 * Stored product pages (src/channels/pages.ts): a product page's head and main section are rendered once and
 * stored next to its answers; the storefront composes the frame of each request around them. What keeps that
 * honest: composing stored parts gives the bytes a whole render gives, for every demo product, locale and frame,
 * and a page whose parts cannot be cut apart is never stored.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import type { WebChrome } from "../../src/channels/contract";
import { productForDisplay } from "../../src/channels/load";
import { BASE_URL, type Demo, loadDemo } from "../helpers/demo";

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

const pages = renderers.web.site?.productPages;

/** Frames a page is composed in: none, and a busy one (every switcher, a banner, a cart, a notice, hostile text). */
const CHROMES: WebChrome[] = [
  { shopName: "Shop", locales: [], categories: [], banner: [], cartCount: null, query: "", notice: null },
  {
    shopName: `A&B "shop" <b>`,
    locales: [
      { code: "en", name: "English", url: `${BASE_URL}/products/x?locale=en`, current: true },
      { code: "fr", name: "Français", url: `${BASE_URL}/products/x?locale=fr&q=<x>`, current: false },
    ],
    categories: [{ label: "Tents & tarps", url: `${BASE_URL}/categories/tents`, current: true }],
    banner: [{ title: "Sale <now>", short: "20 % off\u0007", url: `${BASE_URL}/messages/sale` }],
    cartCount: 3,
    query: `"><script>`,
    notice: "Added to your cart.",
  },
];

describe("a product page in stored parts", () => {
  it("composes to a whole render's bytes for every demo product, locale and frame", async () => {
    expect(pages).toBeDefined();
    const slugs = demo.db.client.prepare("SELECT slug FROM published_products ORDER BY slug").pluck().all() as string[];
    expect(slugs.length).toBeGreaterThan(30);
    let composed = 0;
    for (const slug of slugs) {
      for (const locale of ["en", "fr"]) {
        const view = productForDisplay(await demo.source(slug, locale), "web");
        const parts = pages!.parts(view, BASE_URL);
        expect(parts, slug).not.toBeNull();
        for (const chrome of CHROMES) {
          const whole = renderers.web.render(view, { baseUrl: BASE_URL, chrome }).body;
          expect(pages!.compose(parts!, { baseUrl: BASE_URL, chrome }), `${slug} ${locale}`).toBe(whole);
          composed++;
        }
      }
    }
    expect(composed).toBe(slugs.length * 2 * CHROMES.length);
  });
});
