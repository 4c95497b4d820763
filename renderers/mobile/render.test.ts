import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import type { ActionOffer, EntityView, ProductRenderView } from "../../src/channels/contract";
import { showsFact } from "../../src/channels/contract";
import { strongEtag } from "../../src/channels/fingerprint";
import { actionResultRenderView } from "../../src/channels/views";
import { BASE_URL, type Demo, loadDemo } from "../../test/helpers/demo";
import { everyKind } from "../../test/helpers/views";
import { mobileRenderer } from "./index";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8");
const render = (view: EntityView) => mobileRenderer.render(view, { baseUrl: BASE_URL });

/** Every string in a JSON value: what the components carry, read without the renderer's own inspector. */
const stringsIn = (value: unknown): string[] =>
  typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(stringsIn) : [];

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

describe("exact output", () => {
  test("merino-crew-sweater in en renders exactly the committed screen, as compact JSON", async () => {
    const out = render(await demo.product("merino-crew-sweater", "mobile", "en"));
    expect(out.body).toBe(JSON.stringify(JSON.parse(fixture("merino-crew-sweater.en.json"))));
    expect(out.contentType).toBe("application/json");
    expect(out.format).toBe("screen");
    expect(out.manifest.degradations).toEqual([]);
  });

  test("winter_sale in fr renders exactly the committed screen", async () => {
    const out = render(await demo.message("winter_sale", "mobile", "fr"));
    expect(out.body).toBe(JSON.stringify(JSON.parse(fixture("winter_sale.fr.json"))));
  });

  test("the product's add-to-cart action posts its SKU to the actions API and asks the app for the quantity", async () => {
    const screen = JSON.parse(render(await demo.product("merino-crew-sweater", "mobile", "en")).body);
    expect(screen.actions[0]).toEqual({
      id: "add_to_cart:MER-CRE-SWE-S-NAVY",
      label: "Add to cart",
      deepLink: "https://shop.example/products/merino-crew-sweater",
      request: {
        method: "POST",
        url: "https://shop.example/v1/actions/add_to_cart",
        headers: { "content-type": "application/json" },
        body: { input: { sku: "MER-CRE-SWE-S-NAVY" } },
        params: ["quantity"],
      },
    });
    const picker = screen.sections.flatMap((s: any) => s.components).find((c: any) => c.type === "variantPicker");
    expect(picker.actionId).toBe("add_to_cart:MER-CRE-SWE-S-NAVY");
    expect(picker.options.find((o: any) => o.sku === "MER-CRE-SWE-M-NAVY")).toMatchObject({
      availabilityText: "Out of stock",
      enabled: false,
    });
  });

  test("a trailing slash on the base URL does not double the slash of the action endpoint", async () => {
    const out = mobileRenderer.render(await demo.product("enamel-mug", "mobile", "en"), { baseUrl: `${BASE_URL}/` });
    expect(JSON.parse(out.body).actions[0].request.url).toBe("https://shop.example/v1/actions/add_to_cart");
  });

  test("a format other than screen is refused rather than silently rendered as a screen", async () => {
    const view = await demo.product("enamel-mug", "mobile", "en");
    expect(() => mobileRenderer.render(view, { baseUrl: BASE_URL, format: "html" })).toThrow(/no format "html"/);
  });
});

describe("stable bytes", () => {
  test("the same view renders to the same bytes, and so the same strong ETag, twice and from a fresh database", async () => {
    const other = await loadDemo();
    for (const locale of ["en", "fr"]) {
      const a = Object.values(await everyKind(demo, locale)).map((v) => render(v).body);
      const b = Object.values(await everyKind(demo, locale)).map((v) => render(v).body);
      const c = Object.values(await everyKind(other, locale)).map((v) => render(v).body);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(c.map(strongEtag)).toEqual(a.map(strongEtag));
    }
  });

  test("a different view gives different bytes and a different ETag", async () => {
    const en = render(await demo.product("merino-crew-sweater", "mobile", "en")).body;
    const fr = render(await demo.product("merino-crew-sweater", "mobile", "fr")).body;
    expect(fr).not.toBe(en);
    expect(strongEtag(fr)).not.toBe(strongEtag(en));
  });
});

describe("all six view kinds", () => {
  test.each(["en", "fr"])("each kind renders a screen of its kind, titled, with every fact in a component (%s)", async (locale) => {
    for (const [kind, view] of Object.entries(await everyKind(demo, locale))) {
      const screen = JSON.parse(render(view).body);
      expect(screen.screen.kind).toBe(kind);
      expect(screen.screen.title).toBe(view.title);
      const texts = stringsIn(screen.sections).join("\n");
      for (const fact of view.facts) expect(showsFact(texts, fact), `${kind}: ${fact.value}`).toBe(true);
      expect(screen.actions.map((a: any) => a.request.body.input)).toEqual(view.actions.map((a) => a.input));
    }
  });

  test("the cart shows one section per line with its buttons, a price change notice, and the total", async () => {
    const { cart } = await everyKind(demo, "en");
    const screen = JSON.parse(render(cart).body);
    expect(screen.sections.map((s: any) => s.id)).toEqual(["header", "line-1", "line-2", "summary", "delivery", "actions"]);
    const line2 = screen.sections[2].components;
    expect(line2.map((c: any) => c.type)).toEqual(["heading", "keyValue", "notice", "button", "button"]);
    expect(line2[2].text).toBe("€18.00 → €15.00");
    expect(line2[3].actionId).toBe("update_quantity:ENA-MUG");
    expect(screen.actions.find((a: any) => a.id === "update_quantity:ENA-MUG").request.params).toEqual(["quantity"]);
    expect(screen.sections[3].components[0].items).toEqual([{ label: "Total", value: "€196.00" }]);
    expect(screen.sections[4].components.map((c: any) => c.text)).toEqual([
      "Standard delivery: €0.00, 2–4 business days",
      "Express delivery: €12.90, 1 business day",
      "Pick up in store: €0.00, 1–2 business days",
    ]);
    expect(screen.sections[5].components).toMatchObject([
      { type: "button", actionId: "checkout", style: "primary" },
      { type: "button", label: "Pick up in store", actionId: "checkout:pickup" },
    ]);
  });

  test("the product list opens each item from its row and links to the next page", async () => {
    const { product_list } = await everyKind(demo, "fr");
    const screen = JSON.parse(render(product_list).body);
    const list = screen.sections.find((s: any) => s.id === "items").components[0];
    expect(list.items[0]).toMatchObject({ title: "Pull col rond en mérinos", actionId: "view_product:merino-crew-sweater" });
    expect(screen.sections.find((s: any) => s.id === "more").components[0]).toMatchObject({
      type: "link",
      text: "Plus…",
      url: "https://shop.example/products?page=2",
    });
    expect(screen.sections.some((s: any) => s.id === "actions")).toBe(false);
  });

  test("an empty cart says so in a notice and offers no checkout", async () => {
    const { cart } = await everyKind(demo, "fr");
    const empty = { ...cart, lines: [], empty: true, actions: [], facts: [{ name: "status", value: cart.ui.emptyCart }] };
    const screen = JSON.parse(render(empty).body);
    expect(screen.sections).toEqual([
      {
        id: "header",
        components: [
          { type: "heading", text: "Votre panier", level: 1, fallback: { type: "text", text: "Votre panier" } },
          { type: "notice", text: "Votre panier est vide.", tone: "info", fallback: { type: "text", text: "Votre panier est vide." } },
        ],
      },
    ]);
    expect(screen.actions).toEqual([]);
  });
});

describe("facts the content does not show", () => {
  test("get a facts component of their own", async () => {
    const view = actionResultRenderView({
      action: "add_to_cart",
      title: "Added to your cart.",
      text: "See you soon.",
      ok: true,
      locale: "en",
      url: `${BASE_URL}/cart`,
      facts: [
        { name: "total", value: "€196.00" },
        { name: "title", value: "Added to your cart." },
      ],
    });
    const screen = JSON.parse(render(view).body);
    expect(screen.sections.at(-1)).toEqual({
      id: "facts",
      components: [{ type: "text", text: "€196.00", fallback: { type: "text", text: "€196.00" } }],
    });
  });

  test("that the content already shows are not repeated", async () => {
    const screen = JSON.parse(render(await demo.product("merino-crew-sweater", "mobile", "en")).body);
    expect(screen.sections.some((s: any) => s.id === "facts")).toBe(false);
  });
});

describe("hostile catalogue strings", () => {
  const HOSTILE = `<script>alert("x")</script> & 'quotes' "double" 👍🏽 שלום\u200f مرحبا \u0007bell\u0000nul\u001b[31m\u009b`;
  const CLEANED = `<script>alert("x")</script> & 'quotes' "double" 👍🏽 שלום\u200f مرحبا bellnul[31m`;

  async function hostileProduct(): Promise<ProductRenderView> {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    return {
      ...view,
      title: HOSTILE,
      summary: HOSTILE,
      attributes: [{ label: HOSTILE, value: HOSTILE }],
      variants: view.variants.map((v) => ({ ...v, title: HOSTILE })),
      media: view.media.map((m) => ({ ...m, alt: HOSTILE })),
      facts: [{ name: "title", value: HOSTILE }, ...view.facts.slice(1)],
      actions: view.actions.map((a) => ({ ...a, label: HOSTILE })),
    };
  }

  test("survive as plain JSON strings, markup, quotes, emoji and RTL intact, control characters removed", async () => {
    const out = render(await hostileProduct());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(out.body).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]|\\u00(?:0|1[0-9a-f]|7f|[89][0-9a-f])/i);
    const screen = JSON.parse(out.body);
    expect(screen.screen.title).toBe(CLEANED);
    const hero = screen.sections[0].components;
    expect(hero[0].alt).toBe(CLEANED);
    expect(hero.find((c: any) => c.type === "heading").text).toBe(CLEANED);
    expect(screen.sections.find((s: any) => s.id === "details").components.at(-1).items[0]).toEqual({ label: CLEANED, value: CLEANED });
    expect(screen.actions[0].label).toBe(CLEANED);
  });

  test("are still found as facts by inspection, through the renderer's normalisation", async () => {
    const view = await hostileProduct();
    const seen = mobileRenderer.inspect(render(view).body, { format: "screen", baseUrl: BASE_URL, actions: await demo.actions("en") });
    expect(seen.limits).toEqual([]);
    for (const fact of view.facts) expect(showsFact(seen.text, fact, mobileRenderer.normalizeFact)).toBe(true);
  });
});

describe("degradations are reported, never silent", () => {
  test("an attribute whose label or value is blank is left out rather than shown dangling, and the manifest says so", async () => {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    const out = render({ ...view, attributes: [{ label: "Care", value: "\u0007 " }, ...view.attributes.slice(0, 1)] });
    expect(out.manifest.degradations).toEqual([
      { rule: "mobile.keyValue.blank", detail: "1 attribute(s) with a blank label or value left out." },
    ]);
    const details = JSON.parse(out.body).sections.find((s: any) => s.id === "details").components;
    expect(details.at(-1).items).toEqual([{ label: "Material", value: "100% merino wool" }]);
    const bare = JSON.parse(render({ ...view, attributes: [{ label: "", value: "x" }] }).body);
    expect(bare.sections.find((s: any) => s.id === "details").components.map((x: any) => x.type)).toEqual(["text"]);
  });

  test("an image with no alt text gets the product title as alt, and the manifest says so", async () => {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    const out = render({ ...view, media: [{ url: view.media[0]!.url, alt: " \u0007 " }] });
    expect(JSON.parse(out.body).sections[0].components[0].alt).toBe("Merino crew sweater");
    expect(out.manifest.degradations).toEqual([
      { rule: "mobile.image.alt", detail: "Image 1 has no alt text; the product title stands in." },
    ]);
  });

  test("an offer made twice with the same arguments becomes one action, and the manifest says so", async () => {
    const view = await demo.product("enamel-mug", "mobile", "en");
    const out = render({ ...view, actions: [...view.actions, view.actions[0]!] });
    const screen = JSON.parse(out.body);
    expect(screen.actions.map((a: any) => a.id)).toEqual(view.actions.map((a) => `${a.key}:${Object.values(a.input)[0]}`));
    expect(out.manifest.actions).toHaveLength(view.actions.length);
    expect(out.manifest.degradations).toEqual([
      { rule: "mobile.action.unique", detail: "1 repeated offer(s) merged: one action serves each." },
    ]);
  });

  test("two buttons with the same label in one section are numbered, and the manifest says so", async () => {
    const { product } = await everyKind(demo, "en");
    const add = product.actions.find((a) => a.key === "add_to_cart")!;
    const other: ActionOffer = { ...add, input: { sku: "MER-CRE-SWE-S-OAT" } };
    const out = render(
      actionResultRenderView({
        action: "view_cart",
        title: "Your cart",
        text: "Two more?",
        ok: true,
        locale: "en",
        url: product.url,
        next: [add, other],
      }),
    );
    const buttons = JSON.parse(out.body).sections.find((s: any) => s.id === "actions").components;
    expect(buttons.map((b: any) => [b.label, b.fallback.text, b.actionId])).toEqual([
      ["Add to cart", "Add to cart", "add_to_cart:MER-CRE-SWE-S-NAVY"],
      ["Add to cart 2", "Add to cart 2", "add_to_cart:MER-CRE-SWE-S-OAT"],
    ]);
    expect(out.manifest.degradations).toEqual([
      { rule: "mobile.label.unique", detail: 'Repeated button labels in section "actions" were numbered.' },
    ]);
  });
});
