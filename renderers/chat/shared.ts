/**
 * What every chat platform shares: the message text (precompiled templates,
 * one per view kind, plus a tail with the facts line, the textual fallbacks and
 * the link), the planning of native controls under a platform's limits, and the
 * inspection helpers that read a body back (controls decoded the way inbound
 * webhooks decode them, keywords the way inbound text is parsed).
 *
 * Runtime-neutral: no Node-only imports (renderers run on Workers too).
 */
import Handlebars from "handlebars/runtime";
import { decodePostback } from "../../src/channels/commands";
import type { ActionOffer, Degradation, EntityView, Inspection, InspectOptions } from "../../src/channels/contract";
import { charCount, factsNotIn, graphemes, linksIn, postbackFor, SPACES_TO_FOLD, uniqueLabels } from "../../src/channels/contract";
import { keywordControls } from "../../src/channels/keywords";
import { viewTemplates } from "../../src/channels/templates";
import { templates } from "./templates.generated";

/** The platform formats of the chat channel; the first is the default. */
export const CHAT_FORMATS = ["generic", "whatsapp", "slack", "telegram", "messenger"] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

/** What an adapter hands back to the renderer: the platform's JSON, and what the manifest needs. */
export interface AdapterOutput {
  body: unknown;
  controls: { offer: ActionOffer; label: string; control: Inspection["controls"][number]["control"] }[];
  degradations: Degradation[];
}

/** One platform: renders a view into its API's JSON and reads such JSON back. */
export interface Adapter {
  render(view: EntityView): AdapterOutput;
  inspect(body: unknown, options: InspectOptions): Inspection;
}

// --- Text --------------------------------------------------------------------------------

const hb = Handlebars.create();
const draw = viewTemplates(hb, templates);
const tail = hb.template(templates.tail);

/** Control characters (other than the newline) have no place in a chat message: platforms reject or mangle them. */
export function stripControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "");
}

function clean(text: string): string {
  return stripControls(text)
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function kindContext(view: EntityView, compact: boolean): Record<string, unknown> {
  if (view.kind === "product_list") return { ...view, items: view.items.map((item, i) => ({ ...item, n: i + 1 })), compact };
  return { ...view, compact };
}

/**
 * A view's template text, drawn once per view and form: the five platform formats of one view share it (the
 * audit renders them back to back). Views are values — built fresh, never mutated — so identity is a safe key.
 */
const drawnTexts = new WeakMap<EntityView, { full?: string; compact?: string }>();

function templateText(view: EntityView, compact: boolean): string {
  let texts = drawnTexts.get(view);
  if (!texts) {
    texts = {};
    drawnTexts.set(view, texts);
  }
  const form = compact ? "compact" : "full";
  texts[form] ??= clean(draw[view.kind](kindContext(view, compact)));
  return texts[form];
}

/** How a body is drawn: short form or not, the title on the first line or shown elsewhere (a header), the fallbacks. */
export interface TextOptions {
  compact: boolean;
  /** True when the platform has no header for the title, so the text starts with it. */
  withTitle: boolean;
  /** Offers that could not become native controls: written out as their command and deep link. */
  fallbacks: readonly { offer: ActionOffer }[];
}

/**
 * The plain text of a view: its kind's template, then a facts line with every
 * fact the text (and the header) does not show yet, the textual fallbacks, and
 * the link to the view's web page.
 */
export function viewText(view: EntityView, options: TextOptions): string {
  // The five platform formats of a view mostly ask for the same text (same form, title, fallbacks): drawn once.
  const form = `${options.compact ? "c" : "f"}${options.fallbacks.map(({ offer }) => `\n${offer.label}\t${offer.command}\t${offer.deepLink}`).join("")}`;
  const key = `${options.withTitle ? "t" : "-"}${form}`;
  const texts = mapOf(viewTexts, view);
  let text = texts.get(key);
  if (text === undefined) {
    const main = templateText(view, options.compact);
    // The tail is the same with or without the title on the first line (the facts line compares with the
    // title and the main text either way, the header showing the title when the text does not): drawn
    // once per form and fallbacks, under its own key.
    let tailText = texts.get(form);
    if (tailText === undefined) {
      tailText = drawTail(view, main, options.fallbacks);
      texts.set(form, tailText);
    }
    text = clean(`${options.withTitle ? `${view.title}\n${main}` : main}\n${tailText}`);
    texts.set(key, text);
  }
  return text;
}

/** The map `owner` has in `maps`, made on first use (the memos below are kept per view and per actions array). */
function mapOf<K extends object, V>(maps: WeakMap<K, Map<string, V>>, owner: K): Map<string, V> {
  let map = maps.get(owner);
  if (!map) {
    map = new Map();
    maps.set(owner, map);
  }
  return map;
}

/** Per view: its texts under `t…`/`-…` keys (with or without the title), its tails under `c…`/`f…` keys. */
const viewTexts = new WeakMap<EntityView, Map<string, string>>();

/** The facts line (every fact the title and the main text do not show), the textual fallbacks and the link. */
function drawTail(view: EntityView, main: string, fallbackOffers: TextOptions["fallbacks"]): string {
  const shown = `${view.title}\n${main}`;
  const factLine = factsNotIn(view.facts, stripControls(shown), stripControls)
    .map((f) => f.value)
    .join(" · ");
  const fallbacks = fallbackOffers.map(({ offer }) => ({ label: offer.label, command: offer.command, deepLink: offer.deepLink }));
  return tail({ factLine, fallbacks, url: view.url, ui: view.ui });
}

/**
 * The text within a platform's limit: the full form, else the short form
 * (reported), else the short form cut on a grapheme boundary with an ellipsis,
 * followed by the link to the full page (reported). `measure` counts as the
 * platform does (escaped text for Slack, visible text for Telegram).
 */
export function fitText(
  view: EntityView,
  options: Omit<TextOptions, "compact">,
  limit: { max: number; rule: string; measure?: (text: string) => number },
  degradations: Degradation[],
): string {
  const measure = limit.measure ?? charCount;
  const full = viewText(view, { ...options, compact: false });
  if (measure(full) <= limit.max) return full;
  const short = viewText(view, { ...options, compact: true });
  if (measure(short) <= limit.max) {
    degradations.push({ rule: limit.rule, detail: `Short form sent: the full text is ${measure(full)} of ${limit.max} characters.` });
    return short;
  }
  // Binary search over grapheme prefixes (truncate() would re-count every prefix: quadratic on long texts).
  const parts = graphemes(short);
  const cut = (n: number) => `${parts.slice(0, n).join("").trimEnd()}…\n${view.url}`;
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(cut(mid)) <= limit.max) lo = mid;
    else hi = mid - 1;
  }
  degradations.push({ rule: limit.rule, detail: `Cut to ${limit.max} characters with a link to ${view.url}.` });
  return cut(lo);
}

// --- Formatting characters -------------------------------------------------------------------

/**
 * WhatsApp and Slack mrkdwn read `*bold*`, `_italic_`, `~strike~` and `` `code` `` in message text and
 * have no escape character. Catalogue text is shown as written: a word joiner (U+2060, invisible,
 * never a break) after each formatting character keeps a pair from forming. Links are left as they are
 * (a slug or a message key may hold `_`). Telegram is sent as HTML, where these characters are literal.
 */
const MARKUP = /[*_~`]/g;
const JOINER = "\u2060";
const URL_SPAN = /(?:https?:\/\/|www\.)[^\s<>"|]+/gi;

function outsideLinks(text: string, change: (part: string) => string): string {
  let out = "";
  let at = 0;
  for (const m of text.matchAll(URL_SPAN)) {
    out += change(text.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return out + change(text.slice(at));
}

/** Whether a text has any formatting character: most catalogue text has none, and is then left as it is. */
const ANY_MARKUP = /[*_~`]/;

export function neutralizeMarkup(text: string): string {
  // A render measures the text it fits and then sends it: the same text comes twice in a row.
  if (text === lastNeutralized[0]) return lastNeutralized[1];
  const out = ANY_MARKUP.test(text) ? outsideLinks(text, (part) => part.replace(MARKUP, (c) => `${c}${JOINER}`)) : text;
  lastNeutralized = [text, out];
  return out;
}

let lastNeutralized: [string, string] = ["", ""];

const ACTIVE_MARKUP = /[*_~`](?!\u2060)/;

/** The text a reader sees (the joiners removed); a formatting character left active is a broken limit. */
export function readMarkup(r: Reader, text: string, rule: string): string {
  // Without any formatting character no part can have one left active.
  if (ANY_MARKUP.test(text)) {
    outsideLinks(text, (part) => {
      if (ACTIVE_MARKUP.test(part))
        r.breach(rule, "Catalogue text has a formatting character (* _ ~ `) the platform would read as markup.");
      return part;
    });
  }
  return text.includes(JOINER) ? text.replaceAll(JOINER, "") : text;
}

// --- Controls ----------------------------------------------------------------------------

/** A native control planned for an offer: its label (truncated, unique) and what it is about (an item's title). */
export interface Planned {
  offer: ActionOffer;
  label: string;
  detail: string | null;
}

/** What each offer of a list or a cart is about: the item or line it belongs to (a row description). */
function detailsOf(view: EntityView): Map<ActionOffer, string> {
  const details = new Map<ActionOffer, string>();
  if (view.kind === "product_list") for (const item of view.items) for (const o of item.actions) details.set(o, item.title);
  if (view.kind === "cart") for (const line of view.lines) for (const o of line.actions) details.set(o, line.title);
  return details;
}

/** What a platform allows its native controls. */
export interface ControlRules {
  labelMax: number;
  labelRule: string;
  postbackFits: (postback: string) => boolean;
  postbackRule: string;
  /** How many native controls one message takes; beyond, the last one becomes a "More…" control. */
  maxNative?: number;
  maxRule?: string;
  /** Whether fallbacks are drawn as (URL) buttons too, so they need labels. */
  labelFallbacks?: boolean;
}

/** The native controls, the offers written out as text (fallbacks), and the label of the "More…" control if any. */
export interface ControlPlan {
  native: Planned[];
  fallbacks: Planned[];
  more: string | null;
}

/**
 * The postback of a "More…" control: the hand-off to the web page, where every
 * action is at home (the overflowing ones are also written out in the text).
 */
export const MORE_POSTBACK = postbackFor("handoff", undefined);

/** A label or header on one line, without control characters. */
export function oneLine(text: string): string {
  return NOT_ONE_LINE.test(text) ? stripControls(text).replace(/\s+/g, " ").trim() : text;
}

/**
 * What oneLine changes: a control character, or spaces to fold (the contract's SPACES_TO_FOLD). Most labels
 * and titles have neither and come back as they are, without three passes over them.
 */
const NOT_ONE_LINE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${SPACES_TO_FOLD.source}`);

/**
 * Splits a view's offers into native controls (whose postback fits the
 * platform, up to its count) and textual fallbacks (command + deep link),
 * labelling them within `labelMax` and uniquely. Every split is reported.
 */
export function planControls(view: EntityView, rules: ControlRules, degradations: Degradation[]): ControlPlan {
  const misfits: ActionOffer[] = [];
  let native: ActionOffer[] = [];
  for (const o of view.actions) (rules.postbackFits(o.postback) ? native : misfits).push(o);
  for (const o of misfits) {
    degradations.push({
      rule: rules.postbackRule,
      detail: `"${o.postback}" does not fit; ${o.key} is offered as "${o.command}" and a link.`,
    });
  }
  let overflow: ActionOffer[] = [];
  const max = rules.maxNative ?? Number.POSITIVE_INFINITY;
  if (native.length > max) {
    overflow = native.slice(max - 1);
    native = native.slice(0, max - 1);
    degradations.push({
      rule: rules.maxRule ?? rules.postbackRule,
      detail: `${native.length + overflow.length} actions, ${max} controls: ${overflow.length} offered as text behind "${view.ui.more}".`,
    });
  }
  const fallbacks = [...misfits, ...overflow];
  const labelled = rules.labelFallbacks ? [...native, ...fallbacks] : native;
  const more = overflow.length ? [view.ui.more] : [];
  const labels = uniqueLabels([...labelled.map((o) => oneLine(o.label)), ...more], rules.labelMax);
  const details = detailsOf(view);
  const plan = (offer: ActionOffer, i: number) => ({ offer, label: labels[i] ?? offer.label, detail: details.get(offer) ?? null });
  const planned = labelled.map(plan);
  for (const p of planned) {
    if (p.label !== p.offer.label) degradations.push({ rule: rules.labelRule, detail: `"${p.offer.label}" shown as "${p.label}".` });
  }
  return {
    native: planned.slice(0, native.length),
    fallbacks: rules.labelFallbacks
      ? planned.slice(native.length)
      : fallbacks.map((offer) => ({ offer, label: offer.label, detail: null })),
    more: overflow.length ? (labels.at(-1) ?? null) : null,
  };
}

/**
 * UTF-8 bytes, as Telegram counts `callback_data`: counted from the UTF-16 units, as TextEncoder would
 * encode them (a surrogate pair is 4 bytes, a lone surrogate becomes U+FFFD, 3 bytes), without encoding.
 */
export function byteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // 4 bytes for the pair's 2 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

// --- Inspection --------------------------------------------------------------------------

/** A JSON value as an object (or an empty one): bodies are read defensively, they may be anyone's. */
export function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

type Decoded = { key: string; input: Record<string, unknown> } | null;

/**
 * Postbacks decoded against an actions array (built once per catalogue and locale, never mutated): the
 * five formats of a view carry the same postbacks, and an audit inspects them all. Bounded per array.
 */
const decodedPostbacks = new WeakMap<InspectOptions["actions"], Map<string, Decoded>>();

function decodedPostback(payload: string, actions: InspectOptions["actions"]): Decoded {
  const known = mapOf(decodedPostbacks, actions);
  let decoded = known.get(payload);
  if (decoded === undefined) {
    const command = decodePostback(payload, actions);
    decoded = command.kind === "action" ? { key: command.key, input: command.input } : null;
    if (known.size >= 10_000) known.clear();
    known.set(payload, decoded);
  }
  return decoded;
}

/** Collects what an inspection finds; `finish` adds the keyword commands the text offers and the links it shows. */
export class Reader {
  readonly texts: string[] = [];
  readonly alsoTexts: string[] = [];
  readonly controls: Inspection["controls"] = [];
  readonly links: string[] = [];
  readonly limits: Degradation[] = [];

  constructor(private readonly options: InspectOptions) {}

  text(value: unknown): void {
    if (typeof value === "string" && value) this.texts.push(value);
  }

  /** Text some customers see instead of the message (a notification fallback): its claims count too. */
  also(value: unknown): void {
    if (typeof value === "string" && value) this.alsoTexts.push(value);
  }

  /** A control carrying a postback, decoded the way the inbound webhooks decode it. */
  postback(label: string, payload: string): void {
    const decoded = decodedPostback(payload, this.options.actions);
    this.controls.push({
      label,
      // A copy: inspections never share objects (the cache keeps its own).
      decoded: decoded ? { key: decoded.key, input: { ...decoded.input } } : null,
      control: { kind: "postback", payload },
    });
  }

  /** A URL button: it opens a page, it decodes to no action by itself. */
  url(label: string, url: string): void {
    this.controls.push({ label, decoded: null, control: { kind: "deepLink", url } });
    this.links.push(url);
  }

  link(url: unknown): void {
    if (typeof url === "string" && url) this.links.push(url);
  }

  /** Checks a length: `count` is what the body has, `max` what the platform takes. */
  max(rule: string, count: number, max: number, what: string): void {
    if (count > max) this.limits.push({ rule, detail: `${what}: ${count}, the limit is ${max}.` });
  }

  breach(rule: string, detail: string): void {
    this.limits.push({ rule, detail });
  }

  /** Labels that must differ within one message (docs/channels.md, "Counting and cutting": never two identical labels). */
  unique(rule: string, labels: readonly string[]): void {
    const seen = new Set<string>();
    for (const label of labels) {
      if (seen.has(label)) this.breach(rule, `"${label}" appears twice.`);
      seen.add(label);
    }
  }

  finish(): Inspection {
    const text = this.texts.join("\n");
    for (const c of keywordControls(text, this.options.actions)) this.controls.push(c);
    for (const link of linksIn(text)) this.links.push(link);
    return {
      text,
      ...(this.alsoTexts.length ? { also: this.alsoTexts.join("\n") } : {}),
      controls: this.controls,
      links: [...new Set(this.links)],
      limits: this.limits,
    };
  }
}

// --- Manifest entries ----------------------------------------------------------------------

type ManifestControl = AdapterOutput["controls"][number];

/** A native control carrying the offer's postback. */
export function postbackControl(p: Planned): ManifestControl {
  return { offer: p.offer, label: p.label, control: { kind: "postback", payload: p.offer.postback } };
}

/** A textual fallback: the command written in the message. */
export function keywordControl(p: Planned): ManifestControl {
  return { offer: p.offer, label: p.label, control: { kind: "keyword", text: p.offer.command } };
}

/** A URL button to the offer's deep link (its command is written in the message too). */
export function linkControl(p: Planned): ManifestControl {
  return { offer: p.offer, label: p.label, control: { kind: "deepLink", url: p.offer.deepLink } };
}
