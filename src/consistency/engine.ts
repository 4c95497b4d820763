/**
 * The consistency engine (docs/architecture.md, "The consistency engine"): renders a
 * view on a channel through the same renderer delivery uses, then judges the
 * *body* — parsed back by the channel's own `inspect` — against the view's
 * facts and actions and the channel's limits. The manifest is what a renderer
 * claims; the body is what a customer gets, so only the body is trusted.
 */
import type { ActionView } from "../catalogue/actions";
import type { Channel } from "../catalogue/documents";
import {
  decodesTo,
  type EntityView,
  factsNotIn,
  type Inspection,
  linksIn,
  normalizeLink,
  type Rendered,
  type Renderer,
} from "../channels/contract";
import { type Claim, claimsByLineCut, supported, visibleText } from "./claims";
import { BoundedMemo, detached } from "./memo";

/** The rules a render can break. Stable: they appear in API responses and `unison check` output. */
export const RULES = [
  "fact_missing",
  "claim_unsupported",
  "override_claims",
  "override_entity",
  "label_invisible",
  "action_missing",
  "limit_exceeded",
  "link_foreign",
  "link_dead",
  "stale_override",
  "keyword_conflict",
  "render_failed",
] as const;
export type Rule = (typeof RULES)[number];

export interface Violation {
  entity: { type: "product" | "message" | "action"; key: string };
  channel: Channel | null;
  format: string | null;
  locale: string | null;
  rule: Rule;
  /** What is wrong, in words an editor can act on. */
  detail: string;
  /** The field of the entity concerned, when one is (`title`, `price`, `overrides/sms/fr/title` …). */
  field?: string;
}

/** One channel's renderer per channel. Exhaustive: the compiler refuses a registry that misses a channel. */
export type Registry = Record<Channel, Renderer>;

export interface CheckContext {
  baseUrl: string;
  /** The live action catalogue in the view's locale: keywords and postbacks decode against it. */
  actions: readonly ActionView[];
  /** Whether a path on the project's own domain is a live page (`/products/x`, `/messages/y` …). */
  pageExists: (path: string) => boolean;
  /** URLs that may point off the domain because the entity itself names them (its media, its message links). */
  allowedForeign?: ReadonlySet<string>;
}

export interface ChannelCheck {
  rendered: Rendered[];
  violations: Violation[];
}

/** Which facts name a field of the entity (so a violation can point an editor at it). */
const FACT_FIELDS: Record<string, string> = { title: "title", price: "variants", availability: "variants", compare_at_price: "variants" };

const KIND_WORDS: Record<Claim["kind"], string> = {
  money: "amount",
  percent: "percentage",
  date: "date",
  availability: "availability",
  offer: "offer",
  code: "code",
  link: "link",
};

/**
 * Renders `view` in every format of `renderer` and checks each body.
 *
 * @example
 * const { violations } = checkChannel(renderers.sms, view, { type: "product", key: "merino-crew-sweater" }, ctx);
 */
export function checkChannel(
  renderer: Renderer,
  view: EntityView,
  entity: Violation["entity"],
  ctx: CheckContext,
  formats: readonly string[] = renderer.formats,
): ChannelCheck {
  // A product or message view built only to be shown has no claims: judged, its renders would pass every claim check.
  if ((view.kind === "product" || view.kind === "message") && !view.canonical) {
    throw new Error(`The ${view.kind} view of ${entity.type} ${entity.key} has no claims to judge its renders by.`);
  }
  const rendered: Rendered[] = [];
  const violations: Violation[] = [];
  for (const format of formats) {
    const where = { entity, channel: renderer.channel, format, locale: view.locale };
    let out: Rendered;
    let seen: Inspection;
    try {
      out = renderer.render(view, { baseUrl: ctx.baseUrl, format });
      seen = renderer.inspect(out.body, { format, baseUrl: ctx.baseUrl, actions: ctx.actions });
    } catch (error) {
      // Strict templates throw on a missing variable: a render that fails is a violation, never a blank.
      violations.push({ ...where, rule: "render_failed", detail: error instanceof Error ? error.message : String(error) });
      continue;
    }
    rendered.push(out);
    for (const fact of factsNotIn(view.facts, seen.text, renderer.normalizeFact)) {
      violations.push({
        ...where,
        rule: "fact_missing",
        detail: `The ${fact.name} "${fact.value}" does not appear in the ${renderer.channel}/${format} output.`,
        ...(FACT_FIELDS[fact.name] ? { field: FACT_FIELDS[fact.name] } : {}),
      });
    }
    // Claims are read line by line and remembered (claims.ts): the links of the text are its link claims.
    // Control labels are not claims of the entity (they name actions, checked on their own): the claims
    // judged are those of the text with the labels cut out, read in the same pass.
    const labels = view.canonical ? labelsOf(ctx.actions, seen.controls, view.actions) : [];
    const read = view.canonical ? claimsByLineCut(seen.text, [view.locale], labels) : null;
    const links = new Set<string>();
    for (const link of seen.links) links.add(normalizeLink(link));
    if (read) {
      for (const c of read.claims) if (c.kind === "link") links.add(c.value);
    } else {
      for (const link of linksIn(seen.text)) links.add(link);
    }
    if (read) {
      for (const claim of unsupportedClaims(view, seen, ctx, read.cut, labels)) {
        violations.push({
          ...where,
          rule: "claim_unsupported",
          detail: `The ${renderer.channel}/${format} output says "${claim.text.trim()}" (${KIND_WORDS[claim.kind]}), which the canonical content does not.`,
        });
      }
    }
    for (const control of seen.controls) {
      if (!visibleText(control.label)) {
        violations.push({
          ...where,
          rule: "label_invisible",
          detail: `A control for ${control.decoded?.key ?? "an action"} has no visible label.`,
        });
      }
    }
    for (const offer of view.actions) {
      if (!seen.controls.some((c) => decodesTo(c.decoded, offer))) {
        const args = Object.entries(offer.input)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        violations.push({
          ...where,
          rule: "action_missing",
          detail: `No control offers "${offer.key}"${args ? ` (${args})` : ""} in the ${renderer.channel}/${format} output.`,
        });
      }
    }
    for (const limit of seen.limits) {
      violations.push({ ...where, rule: "limit_exceeded", detail: `${limit.rule}: ${limit.detail}` });
    }
    for (const link of links) {
      const own = isOwn(link, ctx.baseUrl);
      if (!own) {
        // SMS carriers block A2P traffic with foreign links (docs/channels.md, "SMS"): no exception there.
        if (renderer.channel !== "sms" && allowedForeign(ctx).has(link)) continue;
        violations.push({ ...where, rule: "link_foreign", detail: `${link} is not on ${ctx.baseUrl}.` });
      } else {
        if (!linkOpens(ctx, link)) violations.push({ ...where, rule: "link_dead", detail: `${link} does not open a live page.` });
      }
    }
  }
  // A detail quotes text read out of the body (a link, a claim): copied, it keeps no page alive in a report.
  for (const v of violations) v.detail = detached(v.detail);
  return { rendered, violations };
}

/** The link is the base URL or a path under it (checked without building `${baseUrl}/` for every link of every render). */
const isOwn = (link: string, baseUrl: string) =>
  link.startsWith(baseUrl) && (link.length === baseUrl.length || link.charCodeAt(baseUrl.length) === 47); /* "/" */

const foreignSets = new WeakMap<ReadonlySet<string>, Set<string>>();
const NONE: ReadonlySet<string> = new Set();

/** The allowed foreign links, normalised as links read out of text are. */
function allowedForeign(ctx: CheckContext): ReadonlySet<string> {
  const given = ctx.allowedForeign ?? NONE;
  let set = foreignSets.get(given);
  if (!set) {
    set = new Set([...given].map(normalizeLink));
    foreignSets.set(given, set);
  }
  return set;
}

/** Pages that name one entity: a link to another one names another entity. */
const ENTITY_PAGE = /^\/(products|messages)\/[^/?#]+/;

/**
 * The claims an output makes that the canonical content does not, given the claims of its text with the
 * control `labels` cut out (`cutClaims`); its `also` text is read the same way. Foreign links are
 * `link_foreign`'s concern; own-domain links are claims only when they name another product or message.
 */
function unsupportedClaims(
  view: EntityView,
  seen: Inspection,
  ctx: CheckContext,
  cutClaims: readonly Claim[],
  labels: readonly string[],
): Claim[] {
  const canonical = canonicalSet(view.canonical ?? []);
  let claims = cutClaims;
  if (seen.also) claims = [...cutClaims, ...claimsByLineCut(seen.also, [view.locale], labels).cut];
  const out: Claim[] = [];
  for (const claim of claims) {
    if (claim.kind === "link") {
      if (!isOwn(claim.value, ctx.baseUrl)) continue;
      // A link to a page that is not live is `link_dead`'s concern.
      if (!ENTITY_PAGE.test(claim.value.slice(ctx.baseUrl.length)) || !linkOpens(ctx, claim.value)) continue;
    }
    if (!supported(claim, canonical)) out.push(claim);
  }
  return out;
}

const catalogueLabels = new WeakMap<readonly ActionView[], { labels: string[]; known: Set<string> }>();

/**
 * The labels to cut from a text before reading its claims, longest first (so "Notify me" never leaves
 * " when in stock" of "Notify me when in stock"): the catalogue's, sorted once per catalogue, and the
 * output's own controls' and offers' labels the catalogue does not have (the web's search button, an SMS's
 * keyword replies), merged in — equal lengths keep the catalogue's first, as one stable sort of both would.
 */
export function labelsOf(actions: readonly ActionView[], controls: Inspection["controls"], offers: EntityView["actions"]): string[] {
  let catalogue = catalogueLabels.get(actions);
  if (!catalogue) {
    const labels = longestFirst(actions.map((a) => a.label));
    catalogue = { labels, known: new Set(labels) };
    catalogueLabels.set(actions, catalogue);
  }
  const { labels, known } = catalogue;
  // Most outputs label their controls with the catalogue's labels only: one empty array, no copies, no sort.
  const extra: string[] = [];
  for (const c of controls) if (!known.has(c.label)) extra.push(c.label);
  for (const a of offers) if (!known.has(a.label)) extra.push(a.label);
  if (!extra.length) return labels;
  const mine = longestFirst(extra);
  const all: string[] = [];
  let i = 0;
  for (const label of mine) {
    while (i < labels.length && labels[i]!.length >= label.length) all.push(labels[i++]!);
    all.push(label);
  }
  while (i < labels.length) all.push(labels[i++]!);
  return all;
}

const longestFirst = (labels: readonly string[]) =>
  [...new Set(labels)].filter((l) => l.trim().length > 2).sort((a, b) => b.length - a.length);

const canonicalSets = new WeakMap<readonly string[], Set<string>>();

function canonicalSet(keys: readonly string[]): Set<string> {
  let set = canonicalSets.get(keys);
  if (!set) {
    set = new Set(keys);
    canonicalSets.set(keys, set);
  }
  return set;
}

/**
 * Whether an own-domain link opens a live page, remembered per page predicate (a store's navigation repeats
 * on every page). Bounded (memo.ts): the links of 100,000 product pages neither pile up nor keep their
 * pages alive until the audit ends.
 */
const opened = new WeakMap<CheckContext["pageExists"], BoundedMemo<boolean>>();
const LINKS_PER_GENERATION = 2048;

/** How many links the memo of a page predicate holds (what `unison check` keeps between entities). */
export const linkMemoSize = (pageExists: CheckContext["pageExists"]) => opened.get(pageExists)?.size ?? 0;

function linkOpens(ctx: CheckContext, link: string): boolean {
  let known = opened.get(ctx.pageExists);
  if (!known) {
    known = new BoundedMemo(LINKS_PER_GENERATION);
    opened.set(ctx.pageExists, known);
  }
  let opens = known.get(link);
  if (opens === undefined) {
    opens = ctx.pageExists(pathOf(link, ctx.baseUrl));
    known.set(link, opens);
  }
  return opens;
}

/** Plain paths (the renderers' own links) are read off the link; anything else — dot segments, escapes — as a URL parser does. */
const PLAIN_PATH = /^\/[A-Za-z0-9_~/-]*(?:[?#]|$)/;

function pathOf(link: string, baseUrl: string): string {
  const rest = link.slice(baseUrl.length);
  if (PLAIN_PATH.test(rest)) return rest.split(/[?#]/, 1)[0]!;
  return new URL(link).pathname;
}

/**
 * The pages the web channel serves, as a predicate over paths: used to prove
 * that every link a channel sends opens something.
 */
export function pagesOf(live: { products: ReadonlySet<string>; messages: ReadonlySet<string>; categories: ReadonlySet<string> }) {
  return (path: string): boolean => {
    if (path === "/" || path === "/cart" || path.startsWith("/media/")) return true;
    const [, area, id, ...rest] = path.split("/");
    if (rest.length || !id) return false;
    const name = decodeURIComponent(id);
    switch (area) {
      case "products":
        return live.products.has(name);
      case "messages":
        return live.messages.has(name);
      case "categories":
        return live.categories.has(name);
      case "orders":
      case "h":
      case "actions":
        return true; // per customer, or a form target: exists by construction of the routes
      default:
        return false;
    }
  };
}
