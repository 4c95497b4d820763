/**
 * The web renderer (docs/channels.md, "Web"): full, valid HTML5 documents served by
 * the storefront. Every action is a real `<button type="submit">` in a
 * `<form method="post" action="<baseUrl>/actions/<key>">`, so the page works
 * without JavaScript; a product page carries one JSON-LD `Product` and the
 * Open Graph tags, and its structured data says exactly what the page shows.
 *
 * Templates are precompiled (Workers forbid `Handlebars.compile`) with HTML
 * escaping on: catalogue text is only ever inserted with `{{ }}`. The one
 * unescaped insertion is the JSON-LD, through the `json` helper, which makes
 * `</script>` impossible by escaping `<`, `>` and `&` as JSON `\u` escapes.
 */
import Handlebars from "handlebars/runtime";
import type {
  ActionOffer,
  EntityView,
  Inspection,
  InspectOptions,
  ProductRenderView,
  Rendered,
  Renderer,
  RenderOptions,
  WebChrome,
} from "../../src/channels/contract";
import { factsNotIn, MAX_LINE_QUANTITY } from "../../src/channels/contract";
import { strongEtag } from "../../src/channels/fingerprint";
import { type CheckoutPage, PAGE_PATH, type ProductPageParts, type ProductPages } from "../../src/channels/site";
import { viewTemplates } from "../../src/channels/templates";
import { dateFact } from "../../src/channels/views";
import { wording } from "../../src/channels/wording";
import { inspectHtml } from "./inspect";
import { templates, templatesHash } from "./templates.generated";
import { webWords } from "./words";

export { webWords } from "./words";

/**
 * C0 and C1 control characters (tab, line feed and carriage return aside) are
 * parse errors in HTML (WHATWG "control-character-in-input-stream"): they are
 * removed from catalogue text, and the fact matcher removes them too.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** The same class, to test for one (a global pattern's `test` would carry `lastIndex` between calls). */
const HAS_CONTROL = new RegExp(CONTROL.source);

/** Catalogue text as the web channel shows it: without control characters. */
export function webText(text: string): string {
  // Most text has none: a test costs less than a global replace that finds nothing.
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, "") : text;
}

const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/;
const SCRIPT_UNSAFE_ALL = new RegExp(SCRIPT_UNSAFE.source, "g");
const SCRIPT_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** JSON for a `<script>` data block: `<`, `>` and `&` escaped so no string can close the element or open a comment. */
export function scriptJson(value: unknown): string {
  const json: string | undefined = JSON.stringify(value);
  // Nothing to write (undefined, a function) is an error, as it always was.
  if (json === undefined) throw new TypeError("scriptJson: the value has no JSON form.");
  // One pass, and none when nothing needs escaping (most JSON-LD).
  return SCRIPT_UNSAFE.test(json) ? json.replace(SCRIPT_UNSAFE_ALL, (c) => SCRIPT_ESCAPES[c] ?? c) : json;
}

const hb = Handlebars.create();
hb.registerHelper("json", (value: unknown) => new hb.SafeString(scriptJson(value)));
for (const name of ["layout", "form", "missing_facts"] as const) hb.registerPartial(name, hb.template(templates[name]));
const draw = viewTemplates(hb, templates);

/**
 * The storefront's stylesheet: one file every page links to (cached by browsers across pages, and half the
 * bytes of a page it no longer carries), named by its content so it can be cached forever.
 */
export const STYLESHEET = (() => {
  const css = hb.template(templates.styles)({});
  return { css, name: `storefront-${strongEtag(css).slice(1, 9)}.css` };
})();

/** Languages written right to left: the page's base direction. */
const RTL = new Set(["ar", "fa", "he", "ur", "yi"]);

// --- Forms ---------------------------------------------------------------------------------

interface FormField {
  id: string;
  name: string;
  label: string;
  value: string | number;
  min: number | null;
  max: number | null;
  options: { value: string; label: string; selected: boolean; disabled: boolean }[] | null;
}

/** One action offer as an HTML form: fixed arguments as hidden inputs, customer arguments as labelled fields. */
export interface ActionForm {
  key: string;
  action: string;
  label: string;
  hidden: { name: string; value: string | number }[];
  fields: FormField[];
}

/** What a form needs beyond the offer: a unique id prefix, and page state (a variant choice, a line's quantity). */
interface FormSetting {
  id: string;
  locale: string;
  ui: EntityView["ui"];
  variants?: ProductRenderView["variants"];
  quantity?: number;
}

function paramField(param: string, setting: FormSetting): FormField {
  const words = webWords(setting.locale);
  const id = `${setting.id}-${param}`;
  if (param === "score") {
    const options = [5, 4, 3, 2, 1].map((n) => ({ value: String(n), label: `${n} / 5`, selected: n === 5, disabled: false }));
    return { id, name: param, label: words.score, value: 5, min: null, max: null, options };
  }
  if (param === "likelihood") {
    const options = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) => ({
      value: String(n),
      label: `${n} / 10`,
      selected: n === 10,
      disabled: false,
    }));
    return { id, name: param, label: words.likelihood, value: 10, min: null, max: null, options };
  }
  // Quantities as the cart takes them: 1 to MAX_LINE_QUANTITY (src/channels/contract.ts).
  const label = param === "quantity" ? setting.ui.quantity : param;
  return { id, name: param, label, value: setting.quantity ?? 1, min: 1, max: MAX_LINE_QUANTITY, options: null };
}

/** The variant choice of an add-to-cart form: every variant, unsellable ones disabled, the offer's SKU selected. */
function variantField(setting: FormSetting, sku: string): FormField {
  const options = (setting.variants ?? []).map((v) => ({
    value: v.sku,
    label: webText(`${v.title} — ${v.price} — ${v.availabilityText}`),
    selected: v.sku === sku,
    disabled: !v.purchasable && v.sku !== sku,
  }));
  return { id: `${setting.id}-sku`, name: "sku", label: setting.ui.variant, value: sku, min: null, max: null, options };
}

function actionForm(offer: ActionOffer, baseUrl: string, setting: FormSetting): ActionForm {
  const hidden: ActionForm["hidden"] = [];
  const fields: FormField[] = [];
  for (const [name, value] of Object.entries(offer.input)) {
    if (name === "sku" && offer.key === "add_to_cart" && (setting.variants?.length ?? 0) > 1) {
      fields.push(variantField(setting, String(value)));
    } else hidden.push({ name, value });
  }
  for (const param of offer.params) fields.push(paramField(param, setting));
  return { key: offer.key, action: `${baseUrl}/actions/${encodeURIComponent(offer.key)}`, label: webText(offer.label), hidden, fields };
}

function formsOf(offers: readonly ActionOffer[], baseUrl: string, view: EntityView, prefix: string, extra: Partial<FormSetting> = {}) {
  return offers.map((offer, i) => actionForm(offer, baseUrl, { id: `${prefix}${i}`, locale: view.locale, ui: view.ui, ...extra }));
}

// --- Page context --------------------------------------------------------------------------

/**
 * What `cleanDeep` makes of objects that never change (a locale's words, the frame of a page rendered
 * without chrome), computed once: walking a locale's words costs more than the rest of a page's context.
 */
const cleanOnce = new WeakMap<object, { value: unknown; count: number }>();

/** Marks `value` as never changing: `cleanDeep` reads it once, then reuses what it made of it. */
function constant<T extends object>(value: T): T {
  if (!cleanOnce.has(value)) {
    const removed = { count: 0 };
    cleanOnce.set(value, { value: cleanDeep(value, removed), count: removed.count });
  }
  return value;
}

/** A frame with nothing in it but the shop's name, read by `cleanDeep` once. */
function emptyChrome(shopName: string): WebChrome {
  return constant({ shopName, locales: [], categories: [], banner: [], cartCount: null, query: "", notice: null });
}

/** The frame of a page rendered without chrome (the audit's renders), one per base URL. */
const noChrome = new Map<string, WebChrome>();

function frameWithoutChrome(baseUrl: string): WebChrome {
  let chrome = noChrome.get(baseUrl);
  if (!chrome) {
    chrome = emptyChrome(new URL(baseUrl).host);
    // Bounded: callers pass the shop's few base URLs; an unexpected many only stop being remembered.
    if (noChrome.size < 64) noChrome.set(baseUrl, chrome);
  }
  return chrome;
}

/** `webWords`, each locale's words read by `cleanDeep` once. */
function wordsOf(locale: string) {
  return constant(webWords(locale));
}

/**
 * Removes control characters from every string of a page context (deep), so no template can emit one; counts
 * them. Copy on write: a subtree without control characters is returned as it is (most pages have none).
 */
function cleanDeep<T>(value: T, removed: { count: number }): T {
  if (typeof value === "string") {
    const clean = webText(value);
    removed.count += value.length - clean.length;
    return clean as T;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const cleaned = cleanDeep(value[i], removed);
      if (cleaned === value[i]) continue;
      out ??= value.slice();
      out[i] = cleaned;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === "object") {
    const once = cleanOnce.get(value);
    if (once) {
      removed.count += once.count;
      return once.value as T;
    }
    let out: Record<string, unknown> | null = null;
    for (const key in value) {
      const current = (value as Record<string, unknown>)[key];
      const cleaned = cleanDeep(current, removed);
      if (cleaned === current) continue;
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = cleaned;
    }
    return (out ?? value) as T;
  }
  return value;
}

function productJsonLd(view: ProductRenderView, image: string) {
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    name: view.title,
    description: view.summary,
    sku: view.defaultSku,
    url: view.url,
    image: view.media.length ? view.media.map((m) => m.url) : [image],
    offers: {
      "@type": "Offer",
      url: view.url,
      price: view.priceAmount,
      priceCurrency: view.currency,
      availability: view.schemaAvailability,
    },
  };
}

function kindContext(view: EntityView, baseUrl: string, degradations: Rendered["manifest"]["degradations"]): Record<string, unknown> {
  const shown = (text: string) => factsNotIn(view.facts, text, webText);
  switch (view.kind) {
    case "product": {
      const ogImage = view.media[0]?.url ?? `${baseUrl}/media/products/${view.slug}.svg`;
      if (!view.media.length) {
        degradations.push({ rule: "web.og.image", detail: "The product has no media; og:image and JSON-LD use its placeholder image." });
      }
      return {
        ogImage,
        jsonLd: productJsonLd(view, ogImage),
        forms: formsOf(view.actions, baseUrl, view, "p", { variants: view.variants }),
      };
    }
    case "product_list": {
      const items = view.items.map((item, i) => ({ ...item, forms: formsOf(item.actions, baseUrl, view, `i${i}-`) }));
      const inItems = new Set(view.items.flatMap((item) => item.actions));
      return {
        items,
        forms: formsOf(
          view.actions.filter((a) => !inItems.has(a)),
          baseUrl,
          view,
          "l",
        ),
      };
    }
    case "cart": {
      const lines = view.lines.map((line, i) => ({
        ...line,
        forms: formsOf(line.actions, baseUrl, view, `c${i}-`, { quantity: line.quantity }),
      }));
      const inLines = new Set(view.lines.flatMap((line) => line.actions));
      return {
        lines,
        forms: formsOf(
          view.actions.filter((a) => !inLines.has(a)),
          baseUrl,
          view,
          "c",
        ),
      };
    }
    case "order":
      return { placedOn: dateFact(view.placedAt.slice(0, 10), view.locale).value, forms: formsOf(view.actions, baseUrl, view, "o") };
    case "message":
      return { missingFacts: shown(`${view.title}\n${view.body}`), forms: formsOf(view.actions, baseUrl, view, "m") };
    case "action_result":
      return { missingFacts: shown(`${view.title}\n${view.text}`), forms: formsOf(view.actions, baseUrl, view, "r") };
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** View fields no template shows: the claims the audit judges a page by (a product's are read only when asked for). */
const UNRENDERED = new Set(["canonical"]);

function pageContext(view: EntityView, options: RenderOptions, degradations: Rendered["manifest"]["degradations"]) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const chrome = options.chrome ?? frameWithoutChrome(baseUrl);
  const language = view.locale.split("-")[0] ?? view.locale;
  // A view's interface words are its locale's (views.ts): the same object on every page.
  if (view.ui === wording(view.locale).ui) constant(view.ui);
  const page: Record<string, unknown> = kindContext(view, baseUrl, degradations);
  page.lang = view.locale;
  page.dir = RTL.has(language) ? "rtl" : "ltr";
  page.pageTitle = `${view.title} · ${chrome.shopName}`;
  page.home = `${baseUrl}/`;
  page.stylesheet = `${baseUrl}/assets/${STYLESHEET.name}`;
  page.cartUrl = `${baseUrl}/cart`;
  page.cartCount = chrome.cartCount;
  page.chrome = chrome;
  page.words = wordsOf(view.locale);
  // `{ ...view, ...page }` cleaned, in one pass: spreading a view (two dozen fields) costs more than
  // cleaning it. The page's fields win; a view field they replace is neither shown nor counted.
  const removed = { count: 0 };
  const context: Record<string, unknown> = {};
  const fields = view as unknown as Record<string, unknown>;
  for (const key in fields) if (!hasOwn.call(page, key) && !UNRENDERED.has(key)) context[key] = cleanDeep(fields[key], removed);
  for (const key in page) context[key] = cleanDeep(page[key], removed);
  if (removed.count) {
    degradations.push({ rule: "web.text.control", detail: `${removed.count} control character(s) removed: HTML forbids them.` });
  }
  return context;
}

/** The media type of every page this renderer draws. */
const HTML = "text/html; charset=utf-8";

// --- Product pages in parts ---------------------------------------------------------------------

/**
 * Where a product page's head ends and its main begins in `page_parts.hbs`: U+FDD1, a Unicode noncharacter. A
 * document holding one gets no stored parts (src/catalogue/answers.ts, `canStore`), and `parts` refuses a page
 * that does not cut in exactly two.
 */
const PARTS_CUT = "\uFDD1";

/**
 * The version of what this file makes of a product view beyond its templates (which the format hashes itself):
 * bump it when the page context changes (test/channels/pages.test.ts fails when a fixed page's parts change
 * while the format does not).
 */
const PAGE_PARTS_FORMAT = 2;

/** The same templates, with a `layout` that writes only the head, the cut, and the main section. */
const hbParts = Handlebars.create();
hbParts.registerHelper("json", (value: unknown) => new hbParts.SafeString(scriptJson(value)));
hbParts.registerPartial("layout", hbParts.template(templates.page_parts));
for (const name of ["form", "missing_facts"] as const) hbParts.registerPartial(name, hbParts.template(templates[name]));
const drawParts = hbParts.template(templates.product);
const drawFramed = hb.template(templates.framed);

/** The frame parts are rendered in: none (the layout of `page_parts.hbs` shows no frame). */
const PARTS_CHROME = emptyChrome("");

const productPages: ProductPages = {
  // Parts stored from other templates (the hash of their sources, scripts/build-templates.ts) are never composed.
  format: `${PAGE_PARTS_FORMAT}:${templatesHash}`,
  contentType: HTML,

  parts(view: ProductRenderView, baseUrl: string): ProductPageParts | null {
    const degradations: Rendered["manifest"]["degradations"] = [];
    const out = drawParts(pageContext(view, { baseUrl, chrome: PARTS_CHROME }, degradations));
    const cut = out.indexOf(PARTS_CUT);
    if (cut === -1 || out.includes(PARTS_CUT, cut + 1)) return null;
    const [head, main] = [out.slice(0, cut), out.slice(cut + 1)];
    return { locale: view.locale, title: view.title, url: view.url, cart: view.ui.cart, head, main, degradations: degradations.length };
  },

  compose(parts: ProductPageParts, options: { baseUrl: string; chrome?: WebChrome | undefined; path?: string }): string {
    const baseUrl = options.baseUrl.replace(/\/+$/, "");
    const chrome = options.chrome ?? frameWithoutChrome(baseUrl);
    // A frame shared by many pages (passed with their path) or none at all is drawn once; a frame of its own, per page.
    const plan = options.chrome === undefined || options.path !== undefined ? framePlan(parts, baseUrl, chrome) : null;
    if (plan) {
      let page = plan[0] as string;
      for (let i = 1; i < plan.length; i += 2) page += slotValue(plan[i] as string, parts, options.path) + plan[i + 1];
      return page;
    }
    const framed =
      options.path === undefined
        ? chrome
        : { ...chrome, locales: chrome.locales.map((l) => ({ ...l, url: l.url.replaceAll(PAGE_PATH, options.path as string) })) };
    return drawFramed({ ...frameContext(parts, baseUrl, framed), headHtml: parts.head, mainHtml: parts.main });
  },
};

/** The layout's context as `pageContext` builds it for a product view, from the fields the layout reads. */
function frameContext(parts: Pick<ProductPageParts, "locale" | "title" | "url" | "cart">, baseUrl: string, chrome: WebChrome) {
  const language = parts.locale.split("-")[0] ?? parts.locale;
  return cleanDeep(
    {
      lang: parts.locale,
      dir: RTL.has(language) ? "rtl" : "ltr",
      pageTitle: `${parts.title} · ${chrome.shopName}`,
      url: parts.url,
      ui: { cart: parts.cart },
      home: `${baseUrl}/`,
      stylesheet: `${baseUrl}/assets/${STYLESHEET.name}`,
      cartUrl: `${baseUrl}/cart`,
      cartCount: chrome.cartCount,
      chrome,
      words: wordsOf(parts.locale),
    },
    { count: 0 },
  );
}

/**
 * A frame drawn once, around slots for what differs between the pages composed in it (their title, address, head
 * and main, and the path in the switcher's addresses): noncharacters, filled in per page with exactly what the
 * layout would have written there. Escaping and removing control characters are both character by character, so
 * `a · b` escaped is `a` escaped followed by ` · b` escaped, and a filled plan is byte for byte the frame drawn
 * around that page (test/channels/pages.test.ts).
 */
const SLOT = { title: "\uFDE0", url: "\uFDE1", head: "\uFDE2", main: "\uFDE3", path: PAGE_PATH } as const;
const SLOTS = new RegExp(`([${Object.values(SLOT).join("")}])`);

/** Plans per frame (the same object: the frame without chrome, or one the storefront keeps), per locale, cart label and base URL. */
const plans = new WeakMap<WebChrome, Map<string, string[] | null>>();

/** The frame's plan: segments with the slots between them (odd indexes); null when its own text holds a slot's character. */
function framePlan(parts: ProductPageParts, baseUrl: string, chrome: WebChrome): string[] | null {
  let byPage = plans.get(chrome);
  if (!byPage) {
    byPage = new Map();
    plans.set(chrome, byPage);
  }
  const key = `${parts.locale}\u0000${parts.cart}\u0000${baseUrl}`;
  let plan = byPage.get(key);
  if (plan !== undefined) return plan;
  // Text of the frame's own holding a slot's character would be taken for the slot: such a frame is drawn per page.
  const own = JSON.stringify([
    parts.locale,
    parts.cart,
    baseUrl,
    { ...chrome, locales: chrome.locales.map((l) => ({ ...l, url: l.url.replaceAll(PAGE_PATH, "") })) },
  ]);
  plan = SLOTS.test(own)
    ? null
    : drawFramed({
        ...frameContext({ ...parts, title: SLOT.title, url: SLOT.url }, baseUrl, chrome),
        headHtml: SLOT.head,
        mainHtml: SLOT.main,
      }).split(SLOTS);
  // Bounded: a frame is composed in a few locales and base URLs.
  if (byPage.size >= 32) byPage.clear();
  byPage.set(key, plan);
  return plan;
}

/** What the layout writes where a slot is, for this page. */
function slotValue(slot: string, parts: ProductPageParts, path: string | undefined): string {
  switch (slot) {
    case SLOT.head:
      return parts.head;
    case SLOT.main:
      return parts.main;
    case SLOT.title:
      return hb.escapeExpression(webText(`${parts.title}`));
    case SLOT.url:
      return hb.escapeExpression(typeof parts.url === "string" ? webText(parts.url) : parts.url);
    default:
      return path === undefined ? PAGE_PATH : hb.escapeExpression(webText(path));
  }
}

// --- Checkout pages ----------------------------------------------------------------------------

export type { CheckoutPage } from "../../src/channels/site";

const ADDRESS_FIELDS = [
  { name: "name", type: "text", autocomplete: "name", maxlength: 100 },
  { name: "email", type: "email", autocomplete: "email", maxlength: 254 },
  { name: "street", type: "text", autocomplete: "address-line1", maxlength: 200 },
  { name: "postcode", type: "text", autocomplete: "postal-code", maxlength: 12 },
  { name: "city", type: "text", autocomplete: "address-level2", maxlength: 100 },
  { name: "country", type: "text", autocomplete: "country", maxlength: 2 },
] as const;

const checkoutTemplate = hb.template(templates.checkout);

/**
 * A checkout step as a full page in the storefront's frame. Server-validated: an invalid field is
 * marked `aria-invalid`, described by its message, and listed in an error summary that links to it.
 */
export function renderCheckoutPage(page: CheckoutPage, options: { baseUrl: string; chrome: WebChrome }): string {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const words = webWords(page.locale);
  const checkout = words.checkout;
  const steps = ["address", "delivery", "review"] as const;
  const language = page.locale.split("-")[0] ?? page.locale;
  let errors: { field: string; message: string }[] = [];
  let extra: Record<string, unknown> = {};
  if (page.step === "address") {
    const fields = ADDRESS_FIELDS.map((f) => {
      const id = `address-${f.name}`;
      const error = page.invalid.includes(f.name) ? checkout.errors[f.name] : null;
      const hint = f.name === "email" || f.name === "country" ? checkout.hints[f.name] : null;
      const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
      return { ...f, id, label: checkout.fields[f.name], value: page.values[f.name], error, hint, describedBy };
    });
    errors = fields.filter((f) => f.error).map((f) => ({ field: f.id, message: f.error ?? "" }));
    extra = { addressStep: true, fields };
  } else if (page.step === "delivery") {
    if (page.invalid) errors = [{ field: `delivery-${page.options[0]?.key ?? ""}`, message: checkout.errors.delivery }];
    extra = { deliveryStep: true, options: page.options, deliveryError: page.invalid ? checkout.errors.delivery : null };
  } else {
    extra = {
      reviewStep: true,
      lines: page.lines,
      subtotal: page.subtotal,
      delivery: page.delivery,
      total: page.total,
      address: page.address,
    };
  }
  const title = checkout.steps[page.step];
  const context = cleanDeep(
    {
      ...extra,
      errors,
      title,
      stepText: checkout.stepOf(steps.indexOf(page.step) + 1, steps.length),
      formAction: page.formAction,
      addressUrl: page.addressUrl,
      deliveryUrl: page.deliveryUrl,
      url: page.url,
      ui: page.ui,
      checkout,
      lang: page.locale,
      dir: RTL.has(language) ? "rtl" : "ltr",
      pageTitle: `${errors.length ? `${checkout.errorSummary} ` : ""}${title} · ${options.chrome.shopName}`,
      home: `${baseUrl}/`,
      stylesheet: `${baseUrl}/assets/${STYLESHEET.name}`,
      cartUrl: `${baseUrl}/cart`,
      cartCount: options.chrome.cartCount,
      chrome: options.chrome,
      words,
    },
    { count: 0 },
  );
  return checkoutTemplate(context);
}

/** Facts a body must show, as this channel writes them (control characters removed). */
function normalizeFact(text: string): string {
  return webText(text);
}

export const webRenderer: Renderer = {
  channel: "web",
  formats: ["html"],
  normalizeFact,
  site: { words: webWords, stylesheet: STYLESHEET, renderCheckoutPage, productPages },

  render(view: EntityView, options: RenderOptions): Rendered {
    const degradations: Rendered["manifest"]["degradations"] = [];
    const template = draw[view.kind] as (ctx: unknown) => string;
    const body = template(pageContext(view, options, degradations));
    const baseUrl = options.baseUrl.replace(/\/+$/, "");
    return {
      channel: "web",
      format: options.format ?? "html",
      contentType: HTML,
      body,
      manifest: {
        facts: view.facts,
        actions: view.actions.map((a) => ({
          key: a.key,
          input: a.input,
          label: a.label,
          control: { kind: "form", method: "post", action: `${baseUrl}/actions/${a.key}` },
        })),
        degradations,
      },
    };
  },

  inspect(body: string, options: InspectOptions): Inspection {
    return inspectHtml(body, options.baseUrl);
  },
};
