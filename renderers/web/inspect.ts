/**
 * Reading an HTML page the way a customer (and a crawler) gets it: parsed with
 * htmlparser2 (pure JS, runs on Workers), never from the manifest. It finds
 * the visible text, every form and what it would post, every followable URL,
 * and the web rules the page breaks (docs/channels.md, "Web"): JSON-LD that
 * disagrees with the page, missing Open Graph tags, and the accessibility
 * basics (`lang`, `<title>`, `alt`, button names, labelled inputs).
 */
import { Parser } from "htmlparser2";
import type { Control, Degradation, Inspection } from "../../src/channels/contract";
import { NEEDS_NFC, normText } from "../../src/channels/contract";
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

/** Elements that start a block: their text is a line of its own (a heading and the next paragraph never run together). */
const BLOCKS = new Set(
  "address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol option p pre section select summary table tbody td tfoot th thead title tr ul".split(
    " ",
  ),
);

type Attribs = Record<string, string>;

const hiddenOrInvisible = (name: string, attribs: Attribs) => INVISIBLE.has(name) || attribs.hidden !== undefined;

/**
 * The visible text of a subtree as it streams past: element boundaries as spaces, block boundaries as line
 * breaks, nothing inside an invisible or `hidden` element. Lines matter to the claims check, which reads
 * claims line by line and remembers each line (the navigation, the footer and a description are the same
 * lines on every page).
 */
class VisibleText {
  text = "";
  /** How deep inside a skipped element the parser is (0: text is shown). */
  private skipped = 0;
  open(name: string, attribs: Attribs): void {
    if (this.skipped) this.skipped++;
    else if (hiddenOrInvisible(name, attribs)) this.skipped = 1;
    else this.text += BLOCKS.has(name) ? "\n" : " ";
  }
  close(name: string): void {
    if (this.skipped) this.skipped--;
    else this.text += BLOCKS.has(name) ? "\n" : " ";
  }
  add(data: string): void {
    if (!this.skipped) this.text += data;
  }
}

/**
 * Each line as `normText` folds it (its NFC test too), empty lines dropped — in a few passes over the whole
 * text instead of one per line. The same: NFC never composes across a line break; a run of white space without a line
 * break is one space (`normText`'s class is `\s`, which already holds no-break spaces); a run that holds
 * one ends a line and starts the next (its spaces are the lines' trimmed edges, its blank lines are
 * dropped). Both patterns are linear: neither backtracks over a long run of spaces.
 */
function textLines(text: string): string {
  const nfc = NEEDS_NFC.test(text) ? text.normalize("NFC") : text;
  return nfc
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n[ \n]*/g, "\n")
    .trim();
}

/** A button as it streams past: its accessible name is its aria-label, else its visible text. */
interface Button {
  ariaLabel: string | undefined;
  /** Null when the button itself is hidden: it shows no text. */
  text: VisibleText | null;
}

function buttonName(button: Button): string {
  return normText(button.ariaLabel ?? button.text?.text ?? "");
}

interface Option {
  attribs: Attribs;
  text: VisibleText | null;
}

/** A form: what its controls post without the customer touching them, in document order, and its submit button. */
interface Form {
  attribs: Attribs;
  /** Hidden inputs (their value) and selects (their options, read once the page is parsed), by name. */
  inputs: { name: string; value: string | Option[] }[];
  submit: { input: Attribs } | { button: Button } | null;
}

/** One open element, and what it started: a button's or option's text, a form, a select's options. */
interface Frame {
  name: string;
  text: VisibleText | null;
  form: Form | null;
  options: Option[] | null;
  /** Text read whole (a title's, a JSON-LD script's), like `textContent`. */
  raw: { text: string } | null;
}

/** What a form posts without the customer touching it: hidden inputs and each select's default option. */
function formInput(form: Form): Record<string, string> {
  const input: Record<string, string> = {};
  for (const { name, value } of form.inputs) {
    if (typeof value === "string") {
      input[name] = value;
      continue;
    }
    // As browsers do: the selected option, else the first one that is not disabled.
    const chosen = value.find((o) => o.attribs.selected !== undefined) ?? value.find((o) => o.attribs.disabled === undefined);
    if (chosen) input[name] = chosen.attribs.value ?? normText(chosen.text?.text ?? "");
  }
  return input;
}

/** A form as a control: an action form decodes to its key and fixed input; any other form decodes to nothing. */
function formControl(form: Form, baseUrl: string): Inspection["controls"][number] {
  const method = (form.attribs.method ?? "get").toLowerCase();
  const action = form.attribs.action ?? "";
  const button = form.submit;
  const label = button ? ("input" in button ? (button.input.value ?? "") : buttonName(button.button)) : "";
  // A GET form is navigation to a URL (the search box), not an action.
  const control: Control = method === "post" ? { kind: "form", method: "post", action } : { kind: "deepLink", url: action };
  const match = action.startsWith(`${baseUrl}/actions/`) ? /^([a-z][a-z0-9_]*)$/.exec(action.slice(baseUrl.length + 9)) : null;
  // Without a submit button the form cannot be sent, so it offers nothing.
  const decoded = method === "post" && match?.[1] && button ? { key: match[1], input: formInput(form) } : null;
  return { label, decoded, control };
}

/** Everything the checks below ask of a page, gathered in one pass of the parser (no DOM is built). */
interface Page {
  /** The first `<title>`'s text (all of it, as `textContent`). */
  title: { text: string } | null;
  /** The first `<html>`'s attributes. */
  html: Attribs | null;
  forms: Form[];
  /** The first `<meta>` whose property or name is each Open Graph property, and its content. */
  meta: Map<string, string | undefined>;
  /** The text of each JSON-LD script. */
  jsonLd: { text: string }[];
  links: { a: string[]; img: string[]; link: string[]; form: string[] };
  imgs: Attribs[];
  buttons: Button[];
  labelled: Set<string | undefined>;
  fields: { input: Field[]; select: Field[]; textarea: Field[] };
}

interface Field {
  name: string;
  attribs: Attribs;
  inLabel: boolean;
}

/**
 * Reads a page in one pass of htmlparser2's callback parser. The parser reports every element it opens
 * and closes (implied ones included) exactly as `parseDocument` would build them, so this sees the same
 * tree without building it.
 */
function readPage(body: string): { page: Page; visible: string } {
  const page: Page = {
    title: null,
    html: null,
    forms: [],
    meta: new Map(),
    jsonLd: [],
    links: { a: [], img: [], link: [], form: [] },
    imgs: [],
    buttons: [],
    labelled: new Set(),
    fields: { input: [], select: [], textarea: [] },
  };
  const visible = new VisibleText();
  /** Texts being read: the page's, and each open button's and option's (innermost last). */
  const texts: VisibleText[] = [visible];
  /** Texts read whole: the first title's, each JSON-LD script's. */
  const raws: { text: string }[] = [];
  const stack: Frame[] = [];
  const forms: Form[] = [];
  const selects: Option[][] = [];
  let labels = 0;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        for (const text of texts) text.open(name, attribs);
        const frame: Frame = { name, text: null, form: null, options: null, raw: null };
        stack.push(frame);
        switch (name) {
          case "html":
            page.html ??= attribs;
            break;
          case "title":
            if (page.title === null) {
              frame.raw = page.title = { text: "" };
              raws.push(frame.raw);
            }
            break;
          case "meta":
            for (const property of OPEN_GRAPH) {
              if (!page.meta.has(property) && (attribs.property === property || attribs.name === property))
                page.meta.set(property, attribs.content);
            }
            break;
          case "script":
            if (attribs.type === "application/ld+json") {
              frame.raw = { text: "" };
              raws.push(frame.raw);
              page.jsonLd.push(frame.raw);
            }
            break;
          case "a":
            // A fragment (the skip link) stays on the page: there is nothing to follow.
            if (attribs.href !== undefined && !attribs.href.startsWith("#")) page.links.a.push(attribs.href);
            break;
          case "img":
            if (attribs.src !== undefined) page.links.img.push(attribs.src);
            page.imgs.push(attribs);
            break;
          case "link":
            if (attribs.rel === "canonical" && attribs.href !== undefined) page.links.link.push(attribs.href);
            break;
          case "label":
            page.labelled.add(attribs.for);
            labels++;
            break;
          case "form": {
            if (attribs.action !== undefined) page.links.form.push(attribs.action);
            frame.form = { attribs, inputs: [], submit: null };
            page.forms.push(frame.form);
            break;
          }
          case "button": {
            const button: Button = { ariaLabel: attribs["aria-label"], text: null };
            if (button.ariaLabel === undefined && attribs.hidden === undefined) button.text = frame.text = new VisibleText();
            page.buttons.push(button);
            if ((attribs.type ?? "submit") === "submit") for (const form of forms) form.submit ??= { button };
            break;
          }
          case "input":
          case "select":
          case "textarea":
            page.fields[name].push({ name, attribs, inLabel: labels > 0 });
            if (name === "textarea") break;
            if (name === "input" && attribs.type === "submit") for (const form of forms) form.submit ??= { input: attribs };
            if (attribs.name) {
              if (name === "select" && forms.length) frame.options = [];
              for (const form of forms) {
                if (frame.options) form.inputs.push({ name: attribs.name, value: frame.options });
                else if (attribs.type === "hidden") form.inputs.push({ name: attribs.name, value: attribs.value ?? "" });
              }
            }
            break;
          case "option":
            if (selects.length) {
              const option: Option = { attribs, text: null };
              if (attribs.value === undefined && attribs.hidden === undefined) option.text = frame.text = new VisibleText();
              for (const options of selects) options.push(option);
            }
            break;
        }
        if (frame.text) texts.push(frame.text);
        if (frame.form) forms.push(frame.form);
        if (frame.options) selects.push(frame.options);
      },
      onclosetag(name) {
        const frame = stack.pop() as Frame;
        if (frame.text) texts.pop();
        if (frame.form) forms.pop();
        if (frame.options) selects.pop();
        if (frame.raw) raws.pop();
        if (name === "label") labels--;
        for (const text of texts) text.close(name);
      },
      ontext(data) {
        for (const text of texts) text.add(data);
        for (const raw of raws) raw.text += data;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(body);
  return { page, visible: visible.text };
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
  // -0 formats with its sign but prints as "0": it gets a key of its own.
  const key = `${lang}|${currency}|${Object.is(value, -0) ? "-0" : value}`;
  let needle = priceNeedles.get(key);
  if (needle === undefined) {
    needle = normText(currencyFormat(lang, currency).format(value)).toLowerCase();
    // Bounded: a catalogue's prices repeat page after page; past the bound the memo starts again.
    if (priceNeedles.size >= 4096) priceNeedles.clear();
    priceNeedles.set(key, needle);
  }
  return text.includes(needle);
}

/** A price as `showsPrice` looks for it in the text, by language, currency and amount (formatting costs more than the search). */
const priceNeedles = new Map<string, string>();

function jsonLdLimits(page: Page, text: string, lang: string): Degradation[] {
  const isProductPage = page.meta.get("og:type") === "product";
  if (!page.jsonLd.length) return isProductPage ? [{ rule: "web.jsonld", detail: "A product page without JSON-LD." }] : [];
  const limits: Degradation[] = [];
  const products: Record<string, unknown>[] = [];
  for (const script of page.jsonLd) {
    try {
      const data = JSON.parse(script.text) as unknown;
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

function openGraphLimits(page: Page): Degradation[] {
  if (page.meta.get("og:type") !== "product") return [];
  return OPEN_GRAPH.filter((p) => !page.meta.get(p)).map((p) => ({ rule: "web.opengraph", detail: `A product page without ${p}.` }));
}

function a11yLimits(page: Page): Degradation[] {
  const limits: Degradation[] = [];
  const add = (detail: string) => limits.push({ rule: "web.a11y", detail });
  if (!page.html?.lang?.trim()) add("<html> has no lang.");
  if (!page.title || !normText(page.title.text)) add("The page has no <title>.");
  for (const img of page.imgs) if (img.alt === undefined) add(`<img src="${img.src ?? ""}"> has no alt.`);
  for (const button of page.buttons) if (!buttonName(button)) add("A <button> has no accessible name.");
  for (const field of [...page.fields.input, ...page.fields.select, ...page.fields.textarea]) {
    const { attribs } = field;
    if (field.name === "input" && UNLABELLED_TYPES.has(attribs.type ?? "text")) continue;
    if (attribs["aria-label"] || (attribs.id && page.labelled.has(attribs.id)) || field.inLabel) continue;
    add(`<${field.name} name="${attribs.name ?? ""}"> has no label.`);
  }
  return limits;
}

function links(page: Page): string[] {
  const out = [...page.links.a, ...page.links.img, ...page.links.link, ...page.links.form];
  for (const property of ["og:url", "og:image"]) {
    const content = page.meta.get(property);
    if (content !== undefined) out.push(content);
  }
  return out;
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
  const { page, visible } = readPage(body);
  const text = textLines(`${page.title?.text ?? ""}\n${visible}`);
  const lang = page.html?.lang || "en";
  const limits = [...jsonLdLimits(page, text.toLowerCase(), lang), ...openGraphLimits(page), ...a11yLimits(page)];
  if (!/^<!doctype html>/i.test(body.trimStart()))
    limits.push({ rule: "web.doctype", detail: "The page does not start with <!doctype html>." });
  return {
    text,
    controls: page.forms.map((form) => formControl(form, base)),
    links: links(page),
    limits,
  };
}
