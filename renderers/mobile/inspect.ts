/**
 * Reading a screen back the way an app would (docs/channels.md, "Mobile"): parse
 * the JSON, validate it against the screen schema, collect the text a customer
 * sees, decode every action descriptor to its action and arguments, and report
 * what breaks the format's rules. It reads only the body — never the view or
 * the manifest — so the consistency engine judges what the app really gets.
 * (A body render has just made is read from the object it was serialised
 * from, which equals its parse when it passes the schema: see renderedScreen.)
 */
import type { z } from "zod";
import type { Inspection, InspectOptions } from "../../src/channels/contract";
import { justSerialised } from "../../src/channels/serialised";
import {
  ActionSchema,
  COMPONENT_TYPES,
  type Component,
  ComponentSchema,
  type ComponentType,
  type Screen,
  type ScreenAction,
  ScreenSchema,
  type UnknownComponent,
} from "./schema";
import { validate as validateScreen } from "./validate.generated";

type Limits = Inspection["limits"];
/** A component as parsed: a known type, or a later version's type with only its fallback understood. */
type AnyComponent = Component | UnknownComponent;

/** The origin without a trailing slash, so `${origin}/path` never doubles it. */
export function originOf(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

/** The endpoint an action descriptor posts to: the public actions API of the same origin. */
export function actionEndpoint(baseUrl: string, key: string): string {
  return `${originOf(baseUrl)}/v1/actions/${key}`;
}

const KNOWN = new Set<string>(COMPONENT_TYPES);
const isKnown = (comp: AnyComponent): comp is Component => KNOWN.has(comp.type as ComponentType);

/** Adds a line of text, unless it is blank (a module function: a closure per call costs an allocation). */
function addText(out: string[], text: string): void {
  if (text) out.push(text);
}

/**
 * Adds the text a customer reads in one component to `out`, blanks left out. Known types show their own
 * fields (alt text is for screen readers, and fallbacks are for older apps, so neither counts); a type this
 * version does not know shows its fallback.
 */
function pushTexts(comp: AnyComponent, out: string[]): void {
  if (!isKnown(comp)) {
    addText(out, comp.fallback.text);
    return;
  }
  switch (comp.type) {
    case "heading":
    case "text":
    case "badge":
    case "notice":
    case "link":
      addText(out, comp.text);
      break;
    case "price":
      addText(out, comp.text);
      addText(out, comp.compareAt ?? "");
      break;
    case "image":
      break;
    case "keyValue":
      for (const i of comp.items) addText(out, `${i.label}: ${i.value}`);
      break;
    case "variantPicker":
      addText(out, comp.label);
      for (const o of comp.options) addText(out, `${o.title} ${o.price} ${o.compareAt ?? ""} ${o.availabilityText}`);
      break;
    case "list":
      for (const i of comp.items) addText(out, `${i.title} ${i.subtitle ?? ""}`);
      break;
    case "button":
      addText(out, comp.label);
      break;
  }
}

/** All text on a screen: its title, then every component's text, one per line. */
export function screenText(title: string, sections: readonly { components: readonly AnyComponent[] }[]): string {
  const lines = title ? [title] : [];
  for (const s of sections) for (const comp of s.components) pushTexts(comp, lines);
  return lines.join("\n");
}

/** Adds where a component points to an action to `out`: a button, a list row, the variant picker (unless `pickers` is false). */
function addActionRefs(comp: AnyComponent, pickers: boolean, out: Set<string>): void {
  if (!isKnown(comp)) return;
  if (comp.type === "button") out.add(comp.actionId);
  else if (comp.type === "variantPicker") {
    if (comp.actionId && pickers) out.add(comp.actionId);
  } else if (comp.type === "list") for (const i of comp.items) if (i.actionId) out.add(i.actionId);
}

/**
 * Ids the components reach. A variant picker only sets an argument of its
 * action, so with `pickers: false` only what a customer can tap counts.
 */
export function referencedIds(sections: readonly { components: readonly AnyComponent[] }[], pickers = true): Set<string> {
  const ids = new Set<string>();
  for (const s of sections) for (const comp of s.components) addActionRefs(comp, pickers, ids);
  return ids;
}

/**
 * Zod issues as limits. A component union's issues are replaced by those of the
 * branch its `type` selects (else the branch with the fewest issues), so the
 * report says "alt is missing", not "matches none of twelve types".
 */
function schemaLimits(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): Limits {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length) {
      const typed = issue.errors.find((branch) => !branch.some((i) => i.path.length === 1 && i.path[0] === "type"));
      const closest = typed ?? issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
      return schemaLimits(closest, path);
    }
    return [{ rule: "mobile.schema", detail: `/${path.map(String).join("/")}: ${issue.message}` }];
  });
}

interface Parsed {
  title: string;
  url: string | null;
  sections: { id: string; components: AnyComponent[] }[];
  actions: ScreenAction[];
}

/**
 * What can still be read from a screen that fails validation: the valid
 * components and actions (the schema failures are already reported), so one
 * bad component does not hide the rest.
 */
function salvage(json: unknown): Parsed {
  const root = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const screen = (root.screen && typeof root.screen === "object" ? root.screen : {}) as Record<string, unknown>;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  return {
    title: typeof screen.title === "string" ? screen.title : "",
    url: typeof screen.url === "string" ? screen.url : null,
    sections: list(root.sections).map((s, i) => {
      const raw = (s && typeof s === "object" ? s : {}) as Record<string, unknown>;
      return {
        id: typeof raw.id === "string" ? raw.id : `#${i}`,
        components: list(raw.components).flatMap((comp) => {
          const parsed = ComponentSchema.safeParse(comp);
          return parsed.success ? [parsed.data as AnyComponent] : [];
        }),
      };
    }),
    actions: list(root.actions).flatMap((a) => {
      const parsed = ActionSchema.safeParse(a);
      return parsed.success ? [parsed.data] : [];
    }),
  };
}

/** The screen render serialised last, taken by the inspection of that very body (src/channels/serialised.ts). */
export const renderedScreens = justSerialised<Screen>();

/**
 * The screen a body was rendered from, when it is one render just made and it passes the schema. For a valid
 * screen it stands for JSON.parse(body): the schema admits only JSON values (strings, finite numbers, booleans,
 * null, arrays, objects) in every field inspection reads, and those round-trip through JSON.stringify unchanged.
 * A screen that fails is parsed from its bytes, so its violations are found exactly as before.
 */
function renderedScreen(body: string): Screen | undefined {
  const screen = renderedScreens.take(body);
  return screen && validateScreen(screen) ? screen : undefined;
}

function parse(body: string, limits: Limits): Parsed {
  const rendered = renderedScreen(body);
  if (rendered) return { title: rendered.screen.title, url: rendered.screen.url, sections: rendered.sections, actions: rendered.actions };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    limits.push({ rule: "mobile.schema", detail: `Not JSON: ${(error as Error).message}` });
    return { title: "", url: null, sections: [], actions: [] };
  }
  // The published JSON Schema, compiled ahead of time (scripts/build-templates.ts), decides; zod is asked only about
  // a screen that fails, for readable issues. The two agree on every screen the tests know (inspect.test.ts).
  if (validateScreen(json)) {
    const { screen, sections, actions } = json as Screen;
    return { title: screen.title, url: screen.url, sections, actions };
  }
  const result = ScreenSchema.safeParse(json);
  if (!result.success) {
    limits.push(...schemaLimits(result.error.issues));
    return salvage(json);
  }
  const { screen, sections, actions } = result.data;
  return { title: screen.title, url: screen.url, sections, actions };
}

/** The action a descriptor performs: its request must post to `prefix` (this origin's actions API), for a live action. */
function decode(action: ScreenAction, prefix: string, options: InspectOptions, limits: Limits): Inspection["controls"][number]["decoded"] {
  const key = action.request.url.startsWith(prefix) ? action.request.url.slice(prefix.length) : "";
  if (options.actions.some((a) => a.enabled && a.key === key)) return { key, input: { ...action.request.body.input } };
  limits.push({ rule: "mobile.action.request", detail: `Action "${action.id}" posts to ${action.request.url}, not to a live action.` });
  return null;
}

/** Each value that occurs more than once, in the order of its first repeat. */
function duplicates(values: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) repeated.add(v);
    else seen.add(v);
  }
  return repeated;
}

/** What one pass over the sections collects for the checks and the inspection. */
interface Walked {
  /** The title, then every component's text (screenText's lines). */
  lines: string[];
  /** Every component's fallback text: older apps show it. */
  fallbacks: string[];
  /** Ids reached by any component (pickers included), and by what a customer can tap. */
  reached: Set<string>;
  tappable: Set<string>;
  /** The first button label of each action id. */
  buttonLabel: Map<string, string>;
  /** The url of each link component, and every image (components and list rows). */
  linkUrls: string[];
  images: { url: string; alt: string }[];
  /** Repeated button labels, by section. */
  repeatedLabels: Limits;
}

function walk(parsed: Parsed): Walked {
  const w: Walked = {
    lines: parsed.title ? [parsed.title] : [],
    fallbacks: [],
    reached: new Set(),
    tappable: new Set(),
    buttonLabel: new Map(),
    linkUrls: [],
    images: [],
    repeatedLabels: [],
  };
  for (const s of parsed.sections) {
    const labels: string[] = [];
    for (const comp of s.components) {
      pushTexts(comp, w.lines);
      const fallback = comp.fallback?.text;
      if (fallback) w.fallbacks.push(fallback);
      addActionRefs(comp, true, w.reached);
      addActionRefs(comp, false, w.tappable);
      if (!isKnown(comp)) continue;
      if (comp.type === "button") {
        labels.push(comp.label);
        if (!w.buttonLabel.has(comp.actionId)) w.buttonLabel.set(comp.actionId, comp.label);
      } else if (comp.type === "link") w.linkUrls.push(comp.url);
      else if (comp.type === "image") w.images.push(comp);
      else if (comp.type === "list") for (const item of comp.items) if (item.image) w.images.push(item.image);
    }
    // docs/channels.md, "Counting and cutting": never two identical labels in one message — here, among one section's buttons.
    for (const label of duplicates(labels))
      w.repeatedLabels.push({ rule: "mobile.label.unique", detail: `Two buttons "${label}" in section "${s.id}".` });
  }
  return w;
}

/** Every rule about how components and actions refer to each other. */
function checkReferences(parsed: Parsed, w: Walked, limits: Limits): void {
  const ids = parsed.actions.map((a) => a.id);
  for (const id of duplicates(ids)) limits.push({ rule: "mobile.action.unique", detail: `Two actions have the id "${id}".` });
  for (const id of duplicates(parsed.sections.map((s) => s.id)))
    limits.push({ rule: "mobile.section.unique", detail: `Two sections "${id}".` });
  for (const id of w.reached)
    if (!ids.includes(id))
      limits.push({ rule: "mobile.action.dangling", detail: `A component points to "${id}", which is not an action.` });
  // An action no button or row performs is offered to nobody (docs/channels.md rule 1): a picker alone cannot send it.
  for (const id of ids)
    if (!w.tappable.has(id)) limits.push({ rule: "mobile.action.unreferenced", detail: `No button or row performs action "${id}".` });
  limits.push(...w.repeatedLabels);
}

/** Every URL a customer can follow, and the rules on them: pages and deep links on the project's origin, images with alt text. */
function collectLinks(parsed: Parsed, w: Walked, origin: string, limits: Limits): string[] {
  const below = `${origin}/`;
  const links: string[] = [];
  if (parsed.url) links.push(parsed.url);
  for (const a of parsed.actions) links.push(a.deepLink);
  for (const url of w.linkUrls) links.push(url);
  // Universal / app links only open the app for the project's own domain (docs/channels.md rule 4).
  for (const url of links)
    if (url !== origin && !url.startsWith(below)) limits.push({ rule: "mobile.link.origin", detail: `${url} is not on ${origin}.` });
  for (const image of w.images) {
    if (!image.alt.trim()) limits.push({ rule: "mobile.image.alt", detail: `The image ${image.url} has no alt text.` });
    links.push(image.url);
  }
  return links;
}

/**
 * Inspects a screen body.
 *
 * @example
 * const seen = inspectScreen(out.body, { format: "screen", baseUrl, actions });
 * seen.controls.map((c) => c.decoded?.key); // ["add_to_cart", "view_product"]
 */
export function inspectScreen(body: string, options: InspectOptions): Inspection {
  const limits: Limits = [];
  const parsed = parse(body, limits);
  const w = walk(parsed);
  checkReferences(parsed, w, limits);
  const origin = originOf(options.baseUrl);
  const links = collectLinks(parsed, w, origin, limits);
  const prefix = `${origin}/v1/actions/`;
  const controls = parsed.actions.map((action) => ({
    label: w.buttonLabel.get(action.id) ?? action.label,
    decoded: decode(action, prefix, options, limits),
    control: { kind: "form" as const, method: "post" as const, action: action.request.url },
  }));
  // Older apps show each component's fallback: what those say is claimed too.
  const also = w.fallbacks.join("\n");
  return { text: w.lines.join("\n"), ...(also ? { also } : {}), controls, links, limits };
}
