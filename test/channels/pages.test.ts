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
import { PAGE_PATH } from "../../src/channels/site";
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
        // No frame: the one a render without chrome draws (the render endpoint's), drawn once for every page.
        expect(pages!.compose(parts!, { baseUrl: BASE_URL }), `${slug} ${locale}`).toBe(
          renderers.web.render(view, { baseUrl: BASE_URL }).body,
        );
      }
    }
    expect(composed).toBe(slugs.length * 2 * CHROMES.length);
  });

  it("composes a frame drawn once per frame object as that frame drawn per page: hostile titles, addresses and paths", async () => {
    const view = productForDisplay(await demo.source("merino-crew-sweater", "en"), "web");
    // What the page fills into the frame's slots, hostile: escapes, a control character, the slots' own characters.
    const hostile = `A & "B" <i>'x'</i> \u0007 \uFDE0\uFDE1\uFDE2\uFDE3${PAGE_PATH} =\``;
    const variants = [view, { ...view, title: hostile }, { ...view, url: `${BASE_URL}/products/${hostile}` }];
    // The shared frame the storefront keeps for product pages (its switcher holds the page's path as a slot) …
    const shared = (text: string): WebChrome => ({
      ...CHROMES[1]!,
      locales: [
        { code: "en", name: "English", url: `${BASE_URL}${PAGE_PATH}?locale=en`, current: true },
        { code: "fr", name: `Français ${text}`, url: `${BASE_URL}${PAGE_PATH}?locale=fr`, current: false },
      ],
    });
    // … and the same frame drawn for one page, which is what a whole render gets.
    const drawn = (chrome: WebChrome, path: string): WebChrome => ({
      ...chrome,
      locales: chrome.locales.map((l) => ({ ...l, url: l.url.replaceAll(PAGE_PATH, path) })),
    });
    const frames = [
      shared(""),
      // A frame whose own text holds a slot's character is drawn per page: its text is not taken for the slot.
      ...["\uFDE0", "\uFDE1", "\uFDE2", "\uFDE3", PAGE_PATH].map(shared),
      { ...CHROMES[1]!, banner: [{ title: "Sale \uFDE0", short: "\uFDE3", url: `${BASE_URL}/messages/sale${PAGE_PATH}` }] },
      { ...CHROMES[0]!, shopName: "Shop \uFDE2", query: "\uFDE1", notice: PAGE_PATH },
    ];
    let composed = 0;
    for (const chrome of frames) {
      for (const path of ["/products/merino-crew-sweater", `/products/${hostile}`]) {
        for (const base of [BASE_URL, `${BASE_URL}/shop`]) {
          for (const variant of variants) {
            const parts = pages!.parts(variant, base)!;
            // Twice, the second from the frame's plan.
            for (const round of [1, 2]) {
              const page = pages!.compose(parts, { baseUrl: base, chrome, path });
              const whole = renderers.web.render(variant, { baseUrl: base, chrome: drawn(chrome, path) }).body;
              expect(page, `round ${round}: ${JSON.stringify(chrome).slice(0, 80)} ${path} ${base} ${variant.title}`).toBe(whole);
              composed++;
            }
          }
        }
      }
    }
    expect(composed).toBe(frames.length * 2 * 2 * variants.length * 2);
    // The slots were filled with what was escaped there, never left in the page.
    const page = pages!.compose(pages!.parts(variants[1]!, BASE_URL)!, { baseUrl: BASE_URL, chrome: frames[0]!, path: "/p&q" });
    expect(page).toContain(
      `<title>A &amp; &quot;B&quot; &lt;i&gt;&#x27;x&#x27;&lt;/i&gt;  \uFDE0\uFDE1\uFDE2\uFDE3${PAGE_PATH} &#x3D;&#x60; · `,
    );
    expect(page).toContain(`href="${BASE_URL}/p&amp;q?locale&#x3D;fr"`);
  });
});
