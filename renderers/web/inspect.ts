/**
 * Reading an HTML page the way a customer (and a crawler) gets it: parsed with
 * htmlparser2 (pure JS, runs on Workers), never from the manifest. It finds
 * the visible text, every form and what it would post, every followable URL,
 * and the web rules the page breaks (docs/channels.md, "Web"): JSON-LD that
 * disagrees with the page, missing Open Graph tags, and the accessibility
 * basics (`lang`, `<title>`, `alt`, button names, labelled inputs).
 */
import type { ChildNode, Element } from "domhandler";
import { DomUtils, parseDocument } from "htmlparser2";
import type { Control, Degradation, Inspection } from "../../src/channels/contract";
import { normText } from "../../src/channels/contract";
import { wording } from "../../src/channels/wording";

/** Elements whose content is never shown as text. */
const INVISIBLE = new Set(["script", "style", "template", "noscript", "head"]);
/** Form controls that need a label (WCAG 1.3.1 / 4.1.2); hidden inputs and buttons do not. */
const UNLABELLED_TYPES = new Set(["hidden", "submit", "button", "reset", "image"]);

/** schema.org availability as the page words it (the reverse of the view model's mapping). */
const AVAILABILITY_OF_SCHEMA: Record<string, "in_stock" | "low_stock" | "preorder" | "out_of_stock"> = {
  "https://schema.org/InStock": "in_stock",
  "https://schema.org/LimitedAvailability": "low_stock",
  "https://schema.org/PreOrder": "preorder",
  "https://schema.org/OutOfStock": "out_of_stock",
};

const OPEN_GRAPH = ["og:title", "og:type", "og:image", "og:url"];

function isElement(node: ChildNode): node is Element {
  return node.type === "tag" || node.type === "script" || node.type === "style";
}

/** Elements that start a block: their text is a line of its own (a heading and the next paragraph never run together). */
const BLOCKS = new Set(
  "address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol option p pre section select summary table tbody td tfoot th thead title tr ul".split(
    " ",
  ),
);

/**
 * Text of a subtree: element boundaries as spaces, block boundaries as line breaks. Lines matter to the
 * claims check, which reads claims line by line and remembers each line (the navigation, the footer and
 * a description are the same lines on every page).
 */
function textOf(node: ChildNode, skip: (el: Element) => boolean): string {
  if (node.type === "text") return node.data;
  if (!isElement(node) || skip(node)) return "";
  const edge = BLOCKS.has(node.name) ? "\n" : " ";
  return `${edge}${node.children.map((child) => textOf(child, skip)).join("")}${edge}`;
}

/** Each line as `normText` folds it, empty lines dropped. */
function textLines(text: string): string {
  return text.split("\n").map(normText).filter(Boolean).join("\n");
}

const hiddenOrInvisible = (el: Element) => INVISIBLE.has(el.name) || el.attribs.hidden !== undefined;

/** Elements by tag name, indexed once per page (every check below asks it instead of walking the tree again). */
type Index = Map<string, Element[]>;

function indexOf(root: ChildNode[]): Index {
  const index: Index = new Map();
  for (const el of DomUtils.findAll(() => true, root)) {
    const list = index.get(el.name);
    if (list) list.push(el);
    else index.set(el.name, [el]);
  }
  return index;
}

function elements(root: ChildNode[] | Index, name: string): Element[] {
  if (root instanceof Map) return root.get(name) ?? [];
  return DomUtils.findAll((el) => el.name === name, root);
}

/** The accessible name of a button: its aria-label, else its text. */
function buttonName(button: Element): string {
  return normText(button.attribs["aria-label"] ?? textOf(button, hiddenOrInvisible));
}

/** What a form posts without the customer touching it: hidden inputs and each select's default option. */
function formInput(form: Element): Record<string, string> {
  const input: Record<string, string> = {};
  for (const el of DomUtils.findAll((e) => e.name === "input" || e.name === "select", form.children)) {
    const name = el.attribs.name;
    if (!name) continue;
    if (el.name === "input" && el.attribs.type === "hidden") input[name] = el.attribs.value ?? "";
    if (el.name === "select") {
      const options = elements(el.children, "option");
      // As browsers do: the selected option, else the first one that is not disabled.
      const chosen = options.find((o) => o.attribs.selected !== undefined) ?? options.find((o) => o.attribs.disabled === undefined);
      if (chosen) input[name] = chosen.attribs.value ?? normText(textOf(chosen, hiddenOrInvisible));
    }
  }
  return input;
}

function submitButton(form: Element): Element | undefined {
  return (
    DomUtils.findOne(
      (el) => (el.name === "button" && (el.attribs.type ?? "submit") === "submit") || (el.name === "input" && el.attribs.type === "submit"),
      form.children,
    ) ?? undefined
  );
}

/** A form as a control: an action form decodes to its key and fixed input; any other form decodes to nothing. */
function formControl(form: Element, baseUrl: string): Inspection["controls"][number] {
  const method = (form.attribs.method ?? "get").toLowerCase();
  const action = form.attribs.action ?? "";
  const button = submitButton(form);
  const label = button ? (button.name === "input" ? (button.attribs.value ?? "") : buttonName(button)) : "";
  // A GET form is navigation to a URL (the search box), not an action.
  const control: Control = method === "post" ? { kind: "form", method: "post", action } : { kind: "deepLink", url: action };
  const match = action.startsWith(`${baseUrl}/actions/`) ? /^([a-z][a-z0-9_]*)$/.exec(action.slice(baseUrl.length + 9)) : null;
  // Without a submit button the form cannot be sent, so it offers nothing.
  const decoded = method === "post" && match?.[1] && button ? { key: match[1], input: formInput(form) } : null;
  return { label, decoded, control };
}

function meta(index: Index, property: string): string | undefined {
  return elements(index, "meta").find((el) => el.attribs.property === property || el.attribs.name === property)?.attribs.content;
}

function links(index: Index): string[] {
  const out: string[] = [];
  for (const el of [...elements(index, "a"), ...elements(index, "img"), ...elements(index, "link"), ...elements(index, "form")]) {
    const href = el.attribs.href;
    // A fragment (the skip link) stays on the page: there is nothing to follow.
    if (el.name === "a" && href !== undefined && !href.startsWith("#")) out.push(href);
    if (el.name === "img" && el.attribs.src !== undefined) out.push(el.attribs.src);
    if (el.name === "link" && el.attribs.rel === "canonical" && href !== undefined) out.push(href);
    if (el.name === "form" && el.attribs.action !== undefined) out.push(el.attribs.action);
  }
  for (const property of ["og:url", "og:image"]) {
    const content = meta(index, property);
    if (content !== undefined) out.push(content);
  }
  return out;
}

const currencyFormats = new Map<string, Intl.NumberFormat>();

/** One formatter per language and currency (building one costs more than the rest of a price check). */
function currencyFormat(lang: string, currency: string): Intl.NumberFormat {
  const key = `${lang}|${currency}`;
  let format = currencyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang, { style: "currency", currency });
    currencyFormats.set(key, format);
  }
  return format;
}

/** Whether the (lower-cased) visible text shows a price of `amount` in `currency`, formatted as the page's language formats it. */
function showsPrice(text: string, lang: string, amount: unknown, currency: unknown): boolean {
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) return false;
  const value = Number(amount);
  if ((typeof amount !== "string" && typeof amount !== "number") || !Number.isFinite(value)) return false;
  const formatted = currencyFormat(lang, currency).format(value);
  return text.includes(normText(formatted).toLowerCase());
}

function jsonLdLimits(index: Index, text: string, lang: string): Degradation[] {
  const scripts = elements(index, "script").filter((el) => el.attribs.type === "application/ld+json");
  const isProductPage = meta(index, "og:type") === "product";
  if (!scripts.length) return isProductPage ? [{ rule: "web.jsonld", detail: "A product page without JSON-LD." }] : [];
  const limits: Degradation[] = [];
  const products: Record<string, unknown>[] = [];
  for (const script of scripts) {
    try {
      const data = JSON.parse(DomUtils.textContent(script)) as unknown;
      for (const item of Array.isArray(data) ? data : [data]) {
        if (item && typeof item === "object" && (item as Record<string, unknown>)["@type"] === "Product")
          products.push(item as Record<string, unknown>);
      }
    } catch {
      limits.push({ rule: "web.jsonld", detail: "A JSON-LD block does not parse." });
    }
  }
  if (isProductPage && products.length !== 1)
    limits.push({ rule: "web.jsonld", detail: `${products.length} JSON-LD Products; expected one.` });
  for (const product of products) {
    const offers = (Array.isArray(product.offers) ? product.offers[0] : product.offers) as Record<string, unknown> | undefined;
    if (!offers) {
      limits.push({ rule: "web.jsonld", detail: "The JSON-LD Product has no offers." });
      continue;
    }
    if (!showsPrice(text, lang, offers.price, offers.priceCurrency)) {
      limits.push({
        rule: "web.jsonld",
        detail: `offers.price ${String(offers.price)} ${String(offers.priceCurrency)} is not the price the page shows.`,
      });
    }
    const availability = AVAILABILITY_OF_SCHEMA[String(offers.availability)];
    if (!availability || !text.includes(normText(wording(lang).availability[availability]).toLowerCase())) {
      limits.push({ rule: "web.jsonld", detail: `offers.availability ${String(offers.availability)} is not what the page shows.` });
    }
  }
  return limits;
}

function openGraphLimits(index: Index): Degradation[] {
  if (meta(index, "og:type") !== "product") return [];
  return OPEN_GRAPH.filter((p) => !meta(index, p)).map((p) => ({ rule: "web.opengraph", detail: `A product page without ${p}.` }));
}

function a11yLimits(root: Index): Degradation[] {
  const limits: Degradation[] = [];
  const add = (detail: string) => limits.push({ rule: "web.a11y", detail });
  const html = elements(root, "html")[0];
  if (!html?.attribs.lang?.trim()) add("<html> has no lang.");
  const title = elements(root, "title")[0];
  if (!title || !normText(DomUtils.textContent(title))) add("The page has no <title>.");
  for (const img of elements(root, "img")) if (img.attribs.alt === undefined) add(`<img src="${img.attribs.src ?? ""}"> has no alt.`);
  for (const button of elements(root, "button")) if (!buttonName(button)) add("A <button> has no accessible name.");
  const labelled = new Set(elements(root, "label").map((l) => l.attribs.for));
  const fields = ["input", "select", "textarea"].flatMap((name) => elements(root, name));
  for (const field of fields) {
    if (field.name === "input" && UNLABELLED_TYPES.has(field.attribs.type ?? "text")) continue;
    if (field.attribs["aria-label"] || (field.attribs.id && labelled.has(field.attribs.id)) || hasLabelAncestor(field)) continue;
    add(`<${field.name} name="${field.attribs.name ?? ""}"> has no label.`);
  }
  return limits;
}

function hasLabelAncestor(el: Element): boolean {
  for (let node = el.parent; node; node = node.parent) if (isElement(node as ChildNode) && (node as Element).name === "label") return true;
  return false;
}

/**
 * Inspects a web page: what it shows, offers and links to, and the web rules it breaks.
 *
 * @example
 * const seen = inspectHtml(rendered.body, "https://shop.example");
 * seen.controls.find((c) => c.decoded?.key === "add_to_cart");
 */
export function inspectHtml(body: string, baseUrl: string): Inspection {
  const base = baseUrl.replace(/\/+$/, "");
  const root = parseDocument(body, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }).children;
  const index = indexOf(root);
  const title = elements(index, "title")[0];
  const visible = root.map((node) => textOf(node, hiddenOrInvisible)).join("");
  const text = textLines(`${title ? DomUtils.textContent(title) : ""}\n${visible}`);
  const lang = elements(index, "html")[0]?.attribs.lang || "en";
  const limits = [...jsonLdLimits(index, text.toLowerCase(), lang), ...openGraphLimits(index), ...a11yLimits(index)];
  if (!/^<!doctype html>/i.test(body.trimStart()))
    limits.push({ rule: "web.doctype", detail: "The page does not start with <!doctype html>." });
  return {
    text,
    controls: elements(index, "form").map((form) => formControl(form, base)),
    links: links(index),
    limits,
  };
}
