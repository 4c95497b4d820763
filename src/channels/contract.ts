/**
 * The channel contract (docs/architecture.md, "The consistency engine"). Every renderer
 * turns a channel-neutral view into its channel's native body and returns a
 * manifest of what it shows and offers; every renderer can also *inspect* a
 * body — parse the HTML, JSON or text it produced — so the consistency engine
 * checks what a customer really gets, not what the manifest claims.
 *
 * Runtime-neutral: no Node-only imports (renderers run on Workers too).
 */

import type { ActionView } from "../catalogue/actions";
import type { Channel } from "../catalogue/documents";
import type { WebSite } from "./site";

export type { Channel };

/** A fact every channel must show: the same bytes before channel truncation (docs/channels.md rule 3). */
export interface Fact {
  /** What it is: `title`, `price`, `availability`, `code`, `percentage`, `date`, `link`, `status`, `total` … */
  name: string;
  /** The canonical text, formatted once in the view model (Intl). Renderers that show the fact show this. */
  value: string;
  /**
   * Other spellings that count as showing the fact (a date written "6 January 2027" in an editor's text).
   * The canonical `value` always counts.
   */
  alternatives?: string[];
}

/**
 * An action offered on an entity, with its arguments (docs/channels.md rule 2: every
 * control decodes back to exactly one action id and its arguments).
 */
export interface ActionOffer {
  /** The action id (the catalogue key): `add_to_cart`. */
  key: string;
  /** The canonical label in the view's locale (a channel override already applied). */
  label: string;
  /** The SMS reply keyword from the catalogue. */
  keyword: string;
  /** The fixed arguments, as the action's input schema takes them: `{ sku: "MER-CREW-NAVY-M" }`. */
  input: Record<string, string | number>;
  /** Arguments the customer supplies (a quantity, a score): named, never pre-filled. */
  params: string[];
  /** The compact postback: `a:<key>[:<argument>]` (≤ 64 bytes for Telegram's `callback_data`). */
  postback: string;
  /** What an SMS customer types: the keyword and the argument, `ADD MER-CREW-NAVY-M`. */
  command: string;
  /** The https page on the web channel where this action is at home (universal / app link). */
  deepLink: string;
}

/**
 * The most of one SKU a cart line holds (src/journeys/carts.ts refuses more): every channel's quantity
 * control offers 1 to this. Beyond it a chat typo ("1000") would become an order.
 */
export const MAX_LINE_QUANTITY = 99;

/** How a rendered control decodes back to an action. */
export type Control =
  | { kind: "form"; method: "post"; action: string }
  | { kind: "deepLink"; url: string }
  | { kind: "keyword"; text: string }
  | { kind: "postback"; payload: string }
  /** An MCP tool call (the agent channel): the tool is the action key, the arguments its fixed input. */
  | { kind: "tool"; name: string; arguments: Record<string, string | number> };

/** A degradation a renderer took to stay within its channel's limits (reported, never silent). */
export interface Degradation {
  /** The limit that forced it, e.g. `whatsapp.buttons.max` or `sms.segments`. */
  rule: string;
  detail: string;
}

export interface Manifest {
  facts: Fact[];
  actions: { key: string; input: Record<string, string | number>; label: string; control: Control }[];
  degradations: Degradation[];
}

export interface Rendered {
  channel: Channel;
  /** The platform format (`html`, `screen`, `text`, `generic`, `whatsapp`, `slack`, `telegram`, `messenger`). */
  format: string;
  contentType: string;
  /** The exact bytes to send. */
  body: string;
  manifest: Manifest;
}

/** What a parsed body offers a customer: its visible text, its controls, its links and the limits it breaks. */
export interface Inspection {
  /** All text a customer can read, markup removed and entities decoded. */
  text: string;
  /**
   * Text some customers see instead of `text` (a notification's fallback, an older app's fallbacks):
   * its claims count as the body's, but a fact must be shown in `text` itself.
   */
  also?: string;
  /** Every control found in the body, decoded to an action (or to `null` when it decodes to none). */
  controls: { label: string; decoded: { key: string; input: Record<string, unknown> } | null; control: Control }[];
  /** Every URL a customer can follow (links, images, deep links). */
  links: string[];
  /** Channel limits the body breaks (docs/channels.md), each a rule and a detail. */
  limits: Degradation[];
}

export interface RenderOptions {
  /** The platform format; each renderer has a default. */
  format?: string | undefined;
  /** The https origin the web channel serves (PUBLIC_BASE_URL): every link points there. */
  baseUrl: string;
  /** The storefront's page frame around the view; only the web renderer reads it, the others ignore it. */
  chrome?: WebChrome;
}

/** The frame of a storefront page (header, switchers, banner): session state the view itself does not carry. */
export interface WebChrome {
  /** The shop's name in the header. */
  shopName: string;
  /** The locale switcher: one link per locale, to this page in that locale. */
  locales: { code: string; name: string; url: string; current: boolean }[];
  /** The category filter of the catalogue pages. */
  categories: { label: string; url: string; current: boolean }[];
  /** Live promotions, shown as a banner on every page. */
  banner: { title: string; short: string; url: string }[];
  /** Items in the session's cart, or null when the session has no cart yet. */
  cartCount: number | null;
  /** The search text of a search page (refills the search box). */
  query: string;
  /** A one-time notice (an action's confirmation after its redirect), or null. */
  notice: string | null;
  /** A browsing page's sort selector and page links (catalogue and category pages), else absent. */
  paging?: WebPaging | undefined;
}

/** Where a paged product list stands: "page N of M", its neighbours, and a sort selector that is a GET form. */
export interface WebPaging {
  page: number;
  pages: number;
  /** "Page 2 of 3", in the page's language. */
  text: string;
  prevUrl: string | null;
  nextUrl: string | null;
  /** The sort form's target: the list's own address (a GET form, so sorting works without JavaScript). */
  action: string;
  sorts: { value: string; label: string; selected: boolean }[];
}

export interface InspectOptions {
  format: string;
  baseUrl: string;
  /** The live action catalogue in the view's locale (keywords decode against it). */
  actions: readonly ActionView[];
}

/**
 * One channel's renderer. The registry (`renderers/index.ts`) holds exactly one
 * per channel; the consistency engine renders through `render` and judges
 * through `inspect`.
 *
 * @example
 * const out = renderers.sms.render(view, { baseUrl: "https://shop.example" });
 * const seen = renderers.sms.inspect(out.body, { format: out.format, baseUrl, actions });
 */
export interface Renderer {
  channel: Channel;
  /** The formats it renders; the first is the default. */
  formats: readonly [string, ...string[]];
  render(view: EntityView, options: RenderOptions): Rendered;
  inspect(body: string, options: InspectOptions): Inspection;
  /** How a fact's text appears on this channel before matching (SMS smart-encodes typographic characters). */
  normalizeFact?(text: string): string;
  /**
   * The JSON Schema (2020-12) of a format's body, for a format the renderer itself defines (the mobile
   * screen): /openapi.json publishes it as that format's component, as is.
   */
  bodySchemas?: Readonly<Record<string, { description?: string }>>;
  /** The web renderer's site (the storefront's words, stylesheet and checkout pages); see `site.ts`. */
  site?: WebSite;
}

// ---------------------------------------------------------------------------
// Views: what renderers project. Built once per entity, revision and locale in
// `views.ts` — the only place prices, dates and availability are worded.

export interface ViewBase {
  locale: string;
  /** The page on the web channel that shows this view. */
  url: string;
  facts: Fact[];
  /**
   * The claims the canonical content makes (`money:EUR 89`, `percent:20`, `availability:in_stock` …,
   * see `src/consistency/claims.ts`), from base texts, never overrides: a render may make these and no
   * other. Absent on views with no canonical entity behind them (a cart, a reply).
   */
  canonical?: string[];
  actions: ActionOffer[];
  /** Localized interface words (buttons, headings); see `wording.ts`. */
  ui: UiStrings;
}

export interface VariantRender {
  sku: string;
  title: string;
  price: string;
  compareAtPrice: string | null;
  availability: string;
  availabilityText: string;
  purchasable: boolean;
}

export interface ProductRenderView extends ViewBase {
  kind: "product";
  slug: string;
  title: string;
  summary: string;
  description: string;
  price: string;
  /** Amount and currency of `price`, for structured data (JSON-LD). */
  priceAmount: string;
  currency: string;
  compareAtPrice: string | null;
  availability: string;
  availabilityText: string;
  /** schema.org availability URL, for JSON-LD. */
  schemaAvailability: string;
  categories: string[];
  media: { url: string; alt: string }[];
  attributes: { label: string; value: string }[];
  variants: VariantRender[];
  /** The SKU the default add-to-cart control adds (the first purchasable variant). */
  defaultSku: string;
}

export interface ProductListRenderView extends ViewBase {
  kind: "product_list";
  title: string;
  /** The category this list shows, or null for the whole catalogue / a search. */
  category: string | null;
  items: {
    slug: string;
    url: string;
    title: string;
    price: string;
    availabilityText: string;
    image: { url: string; alt: string } | null;
    /** The item's own offers (view_product at least). */
    actions: ActionOffer[];
  }[];
  nextUrl: string | null;
}

export interface MessageRenderView extends ViewBase {
  kind: "message";
  key: string;
  messageKind: string;
  title: string;
  body: string;
  short: string;
  live: boolean;
}

/** The agent channel's body: an MCP tool result (renderers/agent writes it, the MCP server reads it back). */
export interface AgentResult {
  content: { type: "text"; text: string }[];
  structuredContent: Record<string, unknown>;
}

export interface CartRenderView extends ViewBase {
  kind: "cart";
  title: string;
  lines: {
    sku: string;
    slug: string;
    url: string;
    title: string;
    quantity: number;
    unitPrice: string;
    lineTotal: string;
    priceChangedTo: string | null;
    actions: ActionOffer[];
  }[];
  itemCount: number;
  subtotal: string;
  empty: boolean;
  /**
   * The delivery options the cart can be checked out with (none when it is empty): `text` is the fact
   * every channel states ("Pick up in store: €0.00, 1–2 business days"); `action` is the direct
   * `checkout` offer for options that need no address (pick-up), null where the web checkout chooses.
   */
  delivery: {
    key: string;
    name: string;
    kind: "shipping" | "pickup";
    price: string;
    leadTime: string;
    text: string;
    action: ActionOffer | null;
  }[];
}

export interface OrderRenderView extends ViewBase {
  kind: "order";
  title: string;
  number: string;
  status: string;
  statusText: string;
  placedAt: string;
  lines: { title: string; quantity: number; lineTotal: string }[];
  total: string;
  amountDue: string;
  /** The delivery chosen at checkout (the web confirmation shows it); absent for orders without one. */
  delivery?: { name: string; price: string; leadTime: string; address: string[] | null } | null;
}

/** The reply to an action: its confirmation, what it changed, and what the customer can do next. */
export interface ActionResultRenderView extends ViewBase {
  kind: "action_result";
  action: string;
  title: string;
  text: string;
  ok: boolean;
}

export type EntityView =
  | ProductRenderView
  | ProductListRenderView
  | MessageRenderView
  | CartRenderView
  | OrderRenderView
  | ActionResultRenderView;
export type ViewKind = EntityView["kind"];

/** Interface words per locale (chrome, not content): kept apart so the view carries them to every renderer. */
export interface UiStrings {
  reply: string;
  or: string;
  more: string;
  menu: string;
  details: string;
  price: string;
  /** Before a struck-through was-price: "Was €110.00". */
  was: string;
  quantity: string;
  total: string;
  variant: string;
  cart: string;
  emptyCart: string;
  order: string;
  status: string;
  code: string;
  validUntil: string;
  link: string;
  choose: string;
}

// ---------------------------------------------------------------------------
// Shared, pure helpers: renderers and the engine use the same matcher, so what
// a renderer believes it shows is what the engine finds.

/**
 * Characters that are in NFC in any string made only of them (test/channels/norm-text.test.ts proves it
 * over every code point): ASCII, Latin-1 and the Latin, IPA and spacing-modifier blocks below the
 * combining marks (U+0300), and the spaces, punctuation and currency signs a catalogue writes (U+2002–
 * U+20C0, less the two spaces U+2000/U+2001 that NFC replaces). A text of only these needs no normalising.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class starts at U+0000 (every character below U+0300).
export const NEEDS_NFC = /[^\u0000-\u02ff\u2002-\u20c0]/;
/**
 * What folding spaces (`replace(/\s+/g, " ").trim()`) changes: a white space other than U+0020, two spaces in
 * a row, or one at either end (`\s` is the same set as `trim`'s). Text without any comes back as it is.
 */
export const SPACES_TO_FOLD = /[^\S ]| {2}|^ | $/;

/** Text as compared: NFC, every kind of space one ASCII space, runs collapsed, trimmed. */
export function normText(text: string): string {
  // Both steps are skipped when a cheap test shows they change nothing: most texts are NFC and singly spaced.
  const nfc = NEEDS_NFC.test(text) ? text.normalize("NFC") : text;
  return SPACES_TO_FOLD.test(nfc) ? nfc.replace(/\s+/g, " ").trim() : nfc;
}

/** Text prepared for fact matching once (normalised, spaces folded; and in lower case), then asked about many facts. */
function haystackOf(text: string, normalize: (s: string) => string): { exact: string; folded: string } {
  const exact = normText(normalize(text));
  return { exact, folded: exact.toLowerCase() };
}

/** Codes are case-exact (WINTER20 is not winter20); every other fact matches in any case. */
const CASE_EXACT = new Set(["code"]);

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Whether `needle` occurs in `haystack` as a whole token: the characters around it do not continue
 * it ("20%" is not in "120%", "SALE" not in "Wholesale", "6 January 2027" not in "16 January 2027").
 */
export function hasToken(haystack: string, needle: string): boolean {
  if (!needle) return false;
  const open = WORD_CHAR.test(needle[0]!);
  const close = WORD_CHAR.test(needle.at(-1)!);
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    const before = haystack[i - 1];
    const after = haystack[i + needle.length];
    // A number continues through a decimal mark or a digit ("€89.001", "1.20%"); a word through a letter or digit.
    const continuesBefore =
      before !== undefined &&
      (WORD_CHAR.test(before) || (/\d/.test(needle[0]!) && /[.,]/.test(before) && /\d/.test(haystack[i - 2] ?? "")));
    const continuesAfter =
      after !== undefined &&
      (WORD_CHAR.test(after) || (/[.,]/.test(after) && /\d/.test(needle.at(-1)!) && /\d/.test(haystack[i + needle.length + 1] ?? "")));
    if ((!open || !continuesBefore) && (!close || !continuesAfter)) return true;
  }
  return false;
}

function shownIn(haystack: { exact: string; folded: string }, fact: Fact, normalize: (s: string) => string): boolean {
  // Plain loops, no closure per fact: this runs for every fact of every render, by the renderer and the engine.
  // The needle is worked out each time: with normText's fast paths that is cheaper than any memo of it (profiled).
  const exact = CASE_EXACT.has(fact.name);
  if (foundIn(haystack, fact.value, exact, normalize)) return true;
  for (const form of fact.alternatives ?? []) if (foundIn(haystack, form, exact, normalize)) return true;
  return false;
}

function foundIn(haystack: { exact: string; folded: string }, form: string, exact: boolean, normalize: (s: string) => string): boolean {
  const needle = normText(normalize(form));
  return exact ? hasToken(haystack.exact, needle) : hasToken(haystack.folded, needle.toLowerCase());
}

const same = (s: string) => s;

/** Whether `text` shows the fact (its canonical value or an accepted alternative) as a whole token, after the channel's normalisation. */
export function showsFact(text: string, fact: Fact, normalize: (s: string) => string = same): boolean {
  return shownIn(haystackOf(text, normalize), fact, normalize);
}

/** The facts `text` does not show yet: what a renderer must add (a facts line) so nothing is lost. */
export function factsNotIn(facts: readonly Fact[], text: string, normalize: (s: string) => string = same): Fact[] {
  if (!facts.length) return [];
  const haystack = haystackOf(text, normalize);
  const missing: Fact[] = [];
  for (const f of facts) if (!shownIn(haystack, f, normalize)) missing.push(f);
  return missing;
}

/** The postback of an action: `a:<key>[:<argument>]`, the format inbound chat decodes. */
export function postbackFor(key: string, argument: string | number | undefined): string {
  return argument === undefined ? `a:${key}` : `a:${key}:${argument}`;
}

/** Whether a decoded control is exactly this offer: the same action and the same fixed arguments. */
export function decodesTo(decoded: { key: string; input: Record<string, unknown> } | null, offer: ActionOffer): boolean {
  if (!decoded || decoded.key !== offer.key) return false;
  // A loop, not `Object.entries(…).every`: the engine asks this of every control for every offer of every render.
  for (const name in offer.input) {
    if (Object.hasOwn(offer.input, name) && String(decoded.input[name] ?? "") !== String(offer.input[name])) return false;
  }
  return true;
}

/**
 * Characters as docs/channels.md counts them ("Counting and cutting"): the larger of UTF-16 units and
 * graphemes — which is always the UTF-16 length, since every grapheme has at
 * least one unit (so no segmentation is needed to count).
 *
 * @example
 * charCount("👍🏽") // 4 (two code points, four UTF-16 units, one grapheme)
 */
export function charCount(text: string): number {
  return text.length;
}

const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

export function graphemes(text: string): string[] {
  return segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
}

/**
 * Cuts `text` to at most `max` characters (as {@link charCount} counts) on a
 * grapheme boundary, ending with `…` when cut. Deterministic.
 *
 * @example
 * truncate("Merino crew-neck sweater", 12) // "Merino crew…"
 */
export function truncate(text: string, max: number, ellipsis = "…"): string {
  if (text.length <= max) return text;
  let out = "";
  for (const part of graphemes(text)) {
    if (out.length + part.length + ellipsis.length > max) break;
    out += part;
  }
  return `${out.trimEnd()}${ellipsis}`;
}

/**
 * Distinct labels within one message (docs/channels.md, "Counting and cutting": never two identical labels):
 * truncates each to `max`, and suffixes a number where two would collide.
 */
export function uniqueLabels(labels: readonly string[], max: number): string[] {
  const seen = new Set<string>();
  return labels.map((label) => {
    let candidate = truncate(label, max);
    for (let n = 2; seen.has(candidate); n++) candidate = truncate(label, max - String(n).length - 1).concat(` ${n}`);
    seen.add(candidate);
    return candidate;
  });
}

/**
 * A link as written in text: with a scheme in any case (`HTTPS://…`), or without one (`www.x.example/…`,
 * `x.example/path`). The scheme and host are lower-cased and a missing scheme is `https://`, so a link
 * compares with the shop's origin however it is spelled. A closing parenthesis belongs to the link when
 * it closes one the link opened (`…/wiki/Fjord_(geography)`); sentence punctuation after it does not.
 */
const LINK = /(?<![\p{L}\p{N}@._/-])(?:[a-z][a-z0-9+.-]*:\/\/[^\s<>"]+|www\.[^\s<>"]+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?\/[^\s<>"]*)/giu;

/**
 * @example
 * linksIn("See WWW.Fjord.example/tent (today).") // ["https://www.fjord.example/tent"]
 */
export function linksIn(text: string): string[] {
  const out: string[] = [];
  if (!MAYBE_LINK.test(text)) return out;
  // `exec` on the shared pattern: `matchAll` would copy it on every call.
  LINK.lastIndex = 0;
  for (let m = LINK.exec(text); m; m = LINK.exec(text)) {
    const raw = m[0];
    let link = raw.replace(/[.,;:!?'\u2019"]+$/, "");
    while (link.endsWith(")") && count(link, "(") < count(link, ")")) link = link.slice(0, -1).replace(/[.,;:!?'\u2019"]+$/, "");
    out.push(normalizeLink(link));
  }
  return out;
}

/** What every link has (a scheme, `www.`, or a host before a path): most text has none, and is not scanned. */
const MAYBE_LINK = /:\/\/|www\.|\.[a-z]{2,}(?::\d+)?\//i;

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

/** Whether a link is already as `normalizeLink` writes it (an http(s) scheme, a host of lower-case ASCII): most are. */
function isNormalLink(link: string): boolean {
  const from = link.startsWith("https://") ? 8 : link.startsWith("http://") ? 7 : 0;
  if (!from) return false;
  for (let i = from; i < link.length; i++) {
    const c = link.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) return true; // "/", "?", "#": the host ends
    if ((c >= 65 && c <= 90) || c > 127) return false;
  }
  return true;
}

/** Scheme and host in lower case, `https://` when there was none. */
export function normalizeLink(link: string): string {
  if (isNormalLink(link)) return link;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(link) ? link : `https://${link}`;
  return withScheme.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i,
    (_, scheme: string, host: string) => `${scheme.toLowerCase()}${host.toLowerCase()}`,
  );
}
