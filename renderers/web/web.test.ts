import { HtmlValidate } from "html-validate";
import { beforeAll, describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import { money } from "../../src/catalogue/money";
import type { EntityView, ProductRenderView } from "../../src/channels/contract";
import { decodesTo, showsFact } from "../../src/channels/contract";
import { catalogueActions } from "../../src/channels/load";
import {
  actionResultRenderView,
  type CatalogueAction,
  cartRenderView,
  orderRenderView,
  productListRenderView,
} from "../../src/channels/views";
import { BASE_URL, type Demo, loadDemo } from "../../test/helpers/demo";
import { demoCart, demoOrder } from "../../test/helpers/views";
import { scriptJson, webRenderer } from "./index";
import { inspectHtml } from "./inspect";

const validator = new HtmlValidate({
  extends: ["html-validate:recommended"],
  rules: {
    // The renderer writes the doctype in lower case; both spellings are valid HTML.
    "doctype-style": "off",
    // SEO advice (titles over 70 characters get cut in search results), not validity; catalogue titles vary.
    "long-title": "off",
  },
});

async function validate(body: string): Promise<string[]> {
  const report = await validator.validateString(body);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} ${m.line}:${m.column} ${m.message}`));
}

let demo: Demo;
const catalogue: Record<string, CatalogueAction[]> = {};
const actionViews: Record<string, ActionView[]> = {};
let slugs: string[] = [];

beforeAll(async () => {
  demo = await loadDemo();
  for (const locale of ["en", "fr"]) {
    catalogue[locale] = await catalogueActions(demo.db, await demo.ctx(locale));
    actionViews[locale] = await demo.actions(locale);
  }
  slugs = (await demo.db.orm.all<{ slug: string }>("SELECT slug FROM published_products ORDER BY slug" as never)).map((r) => r.slug);
});

/** One view of every kind in a locale (the list from real products). */
async function everyKind(locale: string): Promise<EntityView[]> {
  const actions = catalogue[locale]!;
  const ctx = await demo.ctx(locale);
  const { findLiveProduct, inventoryFor, productView, stockLevels } = await import("../../src/catalogue/products");
  const products = [];
  for (const slug of ["merino-crew-sweater", "enamel-mug", "wool-scarf"]) {
    const live = (await findLiveProduct(demo.db, slug))!;
    products.push({ doc: live.doc, view: productView(live.doc, stockLevels(await inventoryFor(demo.db, [live.entryId])), live, ctx) });
  }
  const product = await demo.product("merino-crew-sweater", "web", locale);
  return [
    product,
    productListRenderView(products, actions, "web", { locale, url: `${BASE_URL}/`, category: null, nextUrl: `${BASE_URL}/?cursor=abc` }),
    await demo.message("winter_sale", "web", locale),
    cartRenderView(demoCart(locale), actions, "web", locale, BASE_URL),
    cartRenderView({ ...demoCart(locale), lines: [], itemCount: 0, subtotal: money(0, "EUR", locale) }, actions, "web", locale, BASE_URL),
    orderRenderView(demoOrder(locale), actions, "web", locale, BASE_URL),
    actionResultRenderView({
      action: "add_to_cart",
      title: "Added to your cart.",
      text: "Merino crew sweater ×1 — €89.00",
      ok: true,
      locale,
      url: `${BASE_URL}/cart`,
      facts: [{ name: "total", value: "€196.00" }],
      next: product.actions,
    }),
  ];
}

/** The consistency engine's judgement of one rendering: every fact, every action, no limit, links on the shop. */
function judge(view: EntityView, locale: string) {
  const out = webRenderer.render(view, { baseUrl: BASE_URL });
  const seen = webRenderer.inspect(out.body, { format: out.format, baseUrl: BASE_URL, actions: actionViews[locale]! });
  return {
    out,
    seen,
    missingFacts: view.facts.filter((f) => !showsFact(seen.text, f, webRenderer.normalizeFact)).map((f) => f.value),
    missingActions: view.actions.filter((a) => !seen.controls.some((c) => decodesTo(c.decoded, a))).map((a) => a.key),
    foreignLinks: seen.links.filter((l) => !l.startsWith(BASE_URL)),
  };
}

describe("the web renderer on merino-crew-sweater", () => {
  it("renders the English page with its title, price, JSON-LD, Open Graph and add-to-cart form", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    expect(body.startsWith('<!doctype html>\n<html lang="en" dir="ltr">')).toBe(true);
    expect(body).toContain("<title>Merino crew sweater · shop.example</title>");
    expect(body).toContain('<h1 dir="auto">Merino crew sweater</h1>');
    expect(body).toContain('<p class="price"><span>€89.00</span> <s><span class="visually-hidden">Was</span> €110.00</s></p>');
    expect(body).toContain('<p class="availability">In stock</p>');
    expect(body).toContain('<link rel="canonical" href="https://shop.example/products/merino-crew-sweater">');
    expect(body).toContain('<meta property="og:type" content="product">');
    expect(body).toContain('<meta property="og:title" content="Merino crew sweater">');
    expect(body).toContain('<meta property="og:url" content="https://shop.example/products/merino-crew-sweater">');
    expect(body).toContain('<meta property="og:image" content="https://shop.example/media/products/merino-crew-sweater-1.svg">');
    expect(body).toContain('<img src="https://shop.example/media/products/merino-crew-sweater-1.svg" alt="Merino crew sweater"');
    expect(body).toContain(
      '<form class="action" method="post" action="https://shop.example/actions/add_to_cart">\n<label for="p0-sku">Option</label>\n<select id="p0-sku" name="sku"><option value="MER-CRE-SWE-S-NAVY" selected>S / Navy — €89.00 — Only a few left</option>',
    );
    expect(body).toContain('<option value="MER-CRE-SWE-M-NAVY" disabled>M / Navy — €89.00 — Out of stock</option>');
    expect(body).toContain(
      '<label for="p0-quantity">Quantity</label>\n<input type="number" id="p0-quantity" name="quantity" value="1" min="1" max="99" required>\n<button type="submit">Add to cart</button>\n</form>',
    );
    // The page is the product's own: no "View details" that would reload it (the list pages offer it).
    expect(body).not.toContain("/actions/view_product");
    expect(view.actions.map((a) => a.key)).not.toContain("view_product");
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(body)![1]!);
    expect(ld).toMatchObject({
      "@type": "Product",
      name: "Merino crew sweater",
      sku: "MER-CRE-SWE-S-NAVY",
      offers: { price: "89.00", priceCurrency: "EUR", availability: "https://schema.org/InStock" },
    });
    expect(ld.offers.price).toBe(view.priceAmount);
    expect(ld.offers.availability).toBe(view.schemaAvailability);
  });

  it("renders the French page with the French title, the French price string and French controls", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "fr");
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    expect(body).toContain('<html lang="fr" dir="ltr">');
    expect(body).toContain('<h1 dir="auto">Pull col rond en mérinos</h1>');
    expect(view.price).toBe("89,00\u00a0€");
    expect(body).toContain(
      `<p class="price"><span>89,00\u00a0€</span> <s><span class="visually-hidden">Avant</span> 110,00\u00a0€</s></p>`,
    );
    expect(body).toContain('<p class="availability">En stock</p>');
    expect(body).toContain('<meta property="og:title" content="Pull col rond en mérinos">');
    expect(body).toContain('<button type="submit">Ajouter au panier</button>');
    expect(body).toContain('<label for="p0-quantity">Quantité</label>');
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(body)![1]!);
    expect(ld.name).toBe("Pull col rond en mérinos");
    expect(ld.offers.price).toBe("89.00");
  });

  it("uses the placeholder image for og:image and JSON-LD when a product has no media, and reports it", async () => {
    const view = { ...(await demo.product("merino-crew-sweater", "web", "en")), media: [] };
    const { out, seen, missingFacts } = judge(view, "en");
    expect(out.body).toContain('<meta property="og:image" content="https://shop.example/media/products/merino-crew-sweater.svg">');
    expect(out.manifest.degradations).toEqual([
      { rule: "web.og.image", detail: "The product has no media; og:image and JSON-LD use its placeholder image." },
    ]);
    expect(seen.limits).toEqual([]);
    expect(missingFacts).toEqual([]);
    expect(await validate(out.body)).toEqual([]);
  });

  it("renders the same bytes for the same view", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "fr");
    expect(webRenderer.render(view, { baseUrl: BASE_URL }).body).toBe(
      webRenderer.render(structuredClone(view), { baseUrl: BASE_URL }).body,
    );
  });
});

describe("every demo page", () => {
  it("is valid HTML, and inspect finds every fact and action, no limit and only the shop's links, for all 33 products in en and fr", async () => {
    expect(slugs).toHaveLength(33);
    const problems: string[] = [];
    for (const locale of ["en", "fr"]) {
      for (const slug of slugs) {
        const view = await demo.product(slug, "web", locale);
        const { out, seen, missingFacts, missingActions, foreignLinks } = judge(view, locale);
        const invalid = await validate(out.body);
        for (const [what, list] of Object.entries({ invalid, missingFacts, missingActions, foreignLinks, limits: seen.limits })) {
          if (list.length) problems.push(`${slug} ${locale} ${what}: ${JSON.stringify(list)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("of every view kind is valid HTML with every fact and action found and no limit, in en and fr", async () => {
    const problems: string[] = [];
    for (const locale of ["en", "fr"]) {
      for (const view of await everyKind(locale)) {
        const { out, seen, missingFacts, missingActions, foreignLinks } = judge(view, locale);
        const invalid = await validate(out.body);
        for (const [what, list] of Object.entries({ invalid, missingFacts, missingActions, foreignLinks, limits: seen.limits })) {
          if (list.length) problems.push(`${view.kind} ${locale} ${what}: ${JSON.stringify(list)}`);
        }
        expect(view.actions.length + view.facts.length, `${view.kind} has something to check`).toBeGreaterThan(0);
      }
    }
    expect(problems).toEqual([]);
  });

  it("shows a cart line's changed price and pre-fills each line's quantity form with its quantity", async () => {
    const view = cartRenderView(demoCart("en"), catalogue.en!, "web", "en", BASE_URL);
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    expect(body).toContain("<small>Price now: €15.00</small>");
    expect(body).toContain('<input type="number" id="c0-0-quantity" name="quantity" value="2" min="1" max="99" required>');
    expect(body).toContain('<button type="submit">Check out</button>');
  });

  it("offers the order's rating with a labelled score choice", async () => {
    const view = orderRenderView(demoOrder("en"), catalogue.en!, "web", "en", BASE_URL);
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    expect(body).toContain('<label for="o');
    expect(body).toMatch(/<label for="o\d-score">Score \(1 to 5\)<\/label>\n<select id="o\d-score" name="score">/);
    expect(body).toContain('<time datetime="2026-11-24T11:30:00.000Z">November 24, 2026</time>');
  });
});

describe("the page frame", () => {
  it("shows the locale switcher, the promotions banner, the categories and the cart count from the chrome", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    const { body } = webRenderer.render(view, {
      baseUrl: BASE_URL,
      chrome: {
        shopName: "Fjord & Pine",
        locales: [
          { code: "en", name: "English", url: `${BASE_URL}/products/merino-crew-sweater?locale=en`, current: true },
          { code: "fr", name: "Français", url: `${BASE_URL}/products/merino-crew-sweater?locale=fr`, current: false },
        ],
        categories: [{ label: "knitwear", url: `${BASE_URL}/categories/knitwear`, current: false }],
        banner: [{ title: "Winter sale", short: "WINTER20: 20% off", url: `${BASE_URL}/messages/winter_sale` }],
        cartCount: 2,
        query: "",
        notice: "Added to your cart.",
      },
    });
    expect(body).toContain('<a class="brand" href="https://shop.example/">Fjord &amp; Pine</a>');
    expect(body).toContain(
      // Handlebars escapes `=` too (&#x3D;): the browser reads the same URL.
      '<a href="https://shop.example/products/merino-crew-sweater?locale&#x3D;fr" hreflang="fr" lang="fr">Français</a>',
    );
    expect(body).toContain('aria-current="true">English</a>');
    expect(body).toContain(
      '<a href="https://shop.example/messages/winter_sale" dir="auto">Winter sale</a> <span dir="auto">WINTER20: 20% off</span>',
    );
    expect(body).toContain('<a class="cart-link" href="https://shop.example/cart">Cart (2)</a>');
    expect(body).toContain('<a href="https://shop.example/categories/knitwear">knitwear</a>');
    expect(body).toContain('<p class="notice" role="status" dir="auto">Added to your cart.</p>');
    expect(await validate(body)).toEqual([]);
  });
});

describe("hostile catalogue text", () => {
  const HOSTILE = '<script>alert(1)</script> " onmouseover="alert(2)" </script><!-- & \u202eevil\u202c 🧶👍🏽 שלום \u0007bell';

  async function hostileProduct(): Promise<ProductRenderView> {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    return {
      ...view,
      title: HOSTILE,
      summary: HOSTILE,
      description: HOSTILE,
      media: [{ url: view.media[0]!.url, alt: HOSTILE }],
      attributes: [{ label: HOSTILE, value: HOSTILE }],
      facts: view.facts.map((f) => (f.name === "title" ? { ...f, value: HOSTILE } : f)),
    };
  }

  it("is escaped everywhere: no markup, attribute or script end slips through", async () => {
    const out = webRenderer.render(await hostileProduct(), { baseUrl: BASE_URL });
    const markup = out.body.replace(/<script type="application\/ld\+json">.*?<\/script>/s, "");
    expect(markup).not.toContain("<script>alert(1)");
    expect(markup).not.toContain('" onmouseover=');
    expect(out.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(out.body).toContain("&quot; onmouseover&#x3D;&quot;alert(2)&quot;");
    // Exactly one </script>: the JSON-LD block's own end; the title's `</script>` is \u003c/script\u003e inside it.
    expect(out.body.match(/<\/script>/g)).toHaveLength(1);
    expect(out.body).toContain("\\u003c/script\\u003e\\u003c!--");
    expect(out.body).toContain("🧶👍🏽 שלום");
    expect(out.body).not.toContain("\u0007");
    expect(await validate(out.body)).toEqual([]);
  });

  it("still reads back as the same text, with the JSON-LD name intact, and reports the removed control character", async () => {
    const view = await hostileProduct();
    const { out, seen, missingFacts, missingActions } = judge(view, "en");
    expect(missingFacts).toEqual([]);
    expect(missingActions).toEqual([]);
    expect(seen.limits).toEqual([]);
    expect(seen.text).toContain('<script>alert(1)</script> " onmouseover="alert(2)"');
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(out.body)![1]!);
    expect(ld.name).toBe(HOSTILE.replace("\u0007", ""));
    expect(out.manifest.degradations.map((d) => d.rule)).toContain("web.text.control");
  });

  it("keeps JSON for script blocks free of <, > and &", () => {
    expect(scriptJson({ a: "</script><!--&\u2028" })).toBe('{"a":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028"}');
  });
});

describe("inspect", () => {
  it("stops finding an action when its form is removed from the body", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    const offer = view.actions.find((a) => a.key === "add_to_cart")!;
    const found = (html: string) => inspectHtml(html, BASE_URL).controls.some((c) => decodesTo(c.decoded, offer));
    expect(found(body)).toBe(true);
    const without = body.replace(
      /<form class="action" method="post" action="https:\/\/shop\.example\/actions\/add_to_cart">.*?<\/form>/s,
      "",
    );
    expect(without).not.toBe(body);
    expect(found(without)).toBe(false);
  });

  it("decodes a form without a submit button, or posting elsewhere, to nothing", () => {
    const page = (form: string) => `<!doctype html><html lang="en"><head><title>t</title></head><body>${form}</body></html>`;
    const noButton = inspectHtml(page('<form method="post" action="https://shop.example/actions/checkout"></form>'), BASE_URL);
    expect(noButton.controls[0]?.decoded).toBeNull();
    const elsewhere = inspectHtml(
      page('<form method="post" action="https://evil.example/actions/checkout"><button>Go</button></form>'),
      BASE_URL,
    );
    expect(elsewhere.controls[0]?.decoded).toBeNull();
    expect(elsewhere.links).toEqual(["https://evil.example/actions/checkout"]);
  });

  it("reports JSON-LD whose price or availability disagrees with the page, and JSON-LD that does not parse", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    const rules = (html: string) => inspectHtml(html, BASE_URL).limits.map((l) => l.rule);
    expect(rules(body)).toEqual([]);
    expect(rules(body.replace('"price":"89.00"', '"price":"79.00"'))).toEqual(["web.jsonld"]);
    expect(rules(body.replace("https://schema.org/InStock", "https://schema.org/PreOrder"))).toEqual(["web.jsonld"]);
    expect(rules(body.replace('"@type":"Product",', '"@type":"Product",,'))).toContain("web.jsonld");
    expect(rules(body.replace(/<script type="application\/ld\+json">.*?<\/script>/s, ""))).toEqual(["web.jsonld"]);
    expect(rules(body.replace(/<meta property="og:image"[^>]*>/, ""))).toEqual(["web.opengraph"]);
  });

  it("reports a missing lang, a missing title, an image without alt, a nameless button and an unlabelled input", async () => {
    const view = await demo.product("merino-crew-sweater", "web", "en");
    const { body } = webRenderer.render(view, { baseUrl: BASE_URL });
    const details = (html: string) =>
      inspectHtml(html, BASE_URL)
        .limits.filter((l) => l.rule === "web.a11y")
        .map((l) => l.detail);
    expect(details(body)).toEqual([]);
    expect(details(body.replace(' lang="en"', ""))).toEqual(["<html> has no lang."]);
    expect(details(body.replace(/<title>.*?<\/title>/, ""))).toEqual(["The page has no <title>."]);
    expect(details(body.replace(' alt="Merino crew sweater"', ""))).toHaveLength(1);
    expect(details(body.replace('<button type="submit">Add to cart</button>', '<button type="submit"> </button>'))).toEqual([
      "A <button> has no accessible name.",
    ]);
    expect(details(body.replace('<label for="p0-quantity">Quantity</label>', ""))).toEqual(['<input name="quantity"> has no label.']);
  });

  it("reads only visible text: not scripts, styles or hidden elements", () => {
    const seen = inspectHtml(
      '<!doctype html><html lang="en"><head><title>T</title><style>.x{}</style></head><body><p>Shown</p><p hidden>Secret</p><script>var s = "Script";</script></body></html>',
      BASE_URL,
    );
    expect(seen.text).toBe("T\nShown");
  });

  it("reads the tree the parser implies: closed paragraphs, a select's option text, a button's visible name, labels around and after a field", () => {
    const seen = inspectHtml(
      `<!doctype html><html lang="fr"><head><title>A &amp; B</title></head><body>
<p>One<p>Two<div>Three</div>
<form method="post" action="https://shop.example/actions/rate">
<input type="hidden" name="id" value="7">
<label>Score <select name="score"><option disabled>Pick</option><option>  Cinq <span hidden>(5)</span> étoiles </option><option value="4">4</option></select></label>
<input type="hidden" name="id" value="8">
<button><span hidden>Hidden </span>Send <b>now</b></button>
</form>
<button aria-label=""></button><input id="q" name="q"><label for="q">Q</label><textarea name="t"></textarea>
</body></html>`,
      BASE_URL,
    );
    expect(seen.text.split("\n")).toEqual(["A & B", "One", "Two", "Three", "Score", "Pick", "Cinq étoiles", "4", "Send now", "Q"]);
    expect(seen.controls).toEqual([
      {
        label: "Send now",
        // The first hidden input's place, the last one's value (as a form posts them into one object).
        decoded: { key: "rate", input: { id: "8", score: "Cinq étoiles" } },
        control: { kind: "form", method: "post", action: "https://shop.example/actions/rate" },
      },
    ]);
    expect(Object.keys(seen.controls[0]?.decoded?.input ?? {})).toEqual(["id", "score"]);
    expect(seen.limits.map((l) => l.detail)).toEqual(["A <button> has no accessible name.", '<textarea name="t"> has no label.']);
  });

  it("reads each block as a line and inline elements as words of it", () => {
    const seen = inspectHtml(
      '<!doctype html><html lang="en"><head><title>T</title></head><body><nav><a href="/">Home</a> <a href="/cart">Cart</a></nav><h1>Two-person <em>tent</em></h1><p>€329.00 <span>In stock</span></p></body></html>',
      BASE_URL,
    );
    expect(seen.text.split("\n")).toEqual(["T", "Home Cart", "Two-person tent", "€329.00 In stock"]);
  });
});
