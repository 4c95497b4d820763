/**
 * Reading a screen back the way an app would (docs/channels.md, "Mobile"): parse
 * the JSON, validate it against the screen schema, collect the text a customer
 * sees, decode every action descriptor to its action and arguments, and report
 * what breaks the format's rules. It reads only the body — never the view or
 * the manifest — so the consistency engine judges what the app really gets.
 */
import type { z } from "zod";
import type { Inspection, InspectOptions } from "../../src/channels/contract";
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

/**
 * The text a customer reads in one component. Known types show their own
 * fields (alt text is for screen readers, and fallbacks are for older apps, so
 * neither counts); a type this version does not know shows its fallback.
 */
export function componentTexts(comp: AnyComponent): string[] {
  if (!isKnown(comp)) return [comp.fallback.text];
  switch (comp.type) {
    case "heading":
    case "text":
    case "badge":
    case "notice":
    case "link":
      return [comp.text];
    case "price":
      return [comp.text, comp.compareAt ?? ""];
    case "image":
      return [];
    case "keyValue":
      return comp.items.map((i) => `${i.label}: ${i.value}`);
    case "variantPicker":
      return [comp.label, ...comp.options.map((o) => [o.title, o.price, o.compareAt ?? "", o.availabilityText].join(" "))];
    case "list":
      return comp.items.map((i) => `${i.title} ${i.subtitle ?? ""}`);
    case "button":
      return [comp.label];
  }
}

/** All text on a screen: its title, then every component's text, one per line. */
export function screenText(title: string, sections: readonly { components: readonly AnyComponent[] }[]): string {
  return [title, ...sections.flatMap((s) => s.components.flatMap(componentTexts))].filter(Boolean).join("\n");
}

/** Where a component points to an action: a button, a list row, the variant picker (unless `pickers` is false). */
function actionRefs(comp: AnyComponent, pickers: boolean): string[] {
  if (!isKnown(comp)) return [];
  if (comp.type === "button") return [comp.actionId];
  if (comp.type === "variantPicker") return comp.actionId && pickers ? [comp.actionId] : [];
  if (comp.type === "list") return comp.items.flatMap((i) => (i.actionId ? [i.actionId] : []));
  return [];
}

/**
 * Ids the components reach. A variant picker only sets an argument of its
 * action, so with `pickers: false` only what a customer can tap counts.
 */
export function referencedIds(sections: readonly { components: readonly AnyComponent[] }[], pickers = true): Set<string> {
  return new Set(sections.flatMap((s) => s.components.flatMap((comp) => actionRefs(comp, pickers))));
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

/**
 * The screens render serialised last, by their exact body: the consistency engine inspects each body right after
 * rendering it, and parsing back bytes just made from an object was half of inspection's cost. Bounded (a few
 * entries, each taken out when read) and private to this module: render puts in, inspect takes out.
 */
const justRendered: { body: string; screen: Screen }[] = [];
const JUST_RENDERED_MAX = 4;

/**
 * Notes the object a body was serialised from (`body === JSON.stringify(screen)`; the object is never changed
 * afterwards), so inspecting that body can skip JSON.parse.
 */
export function rememberRendered(body: string, screen: Screen): void {
  if (justRendered.length >= JUST_RENDERED_MAX) justRendered.shift();
  justRendered.push({ body, screen });
}

/**
 * The screen a body was rendered from, when it is one render just made and it passes the schema. For a valid
 * screen it stands for JSON.parse(body): the schema admits only JSON values (strings, finite numbers, booleans,
 * null, arrays, objects) in every field inspection reads, and those round-trip through JSON.stringify unchanged.
 * A screen that fails is parsed from its bytes, so its violations are found exactly as before.
 */
function renderedScreen(body: string): Screen | undefined {
  // `===`, not a Map: the body is usually the very string render returned (a pointer compare), and a Map would
  // hash all of it first.
  const i = justRendered.findIndex((r) => r.body === body);
  if (i < 0) return undefined;
  const { screen } = justRendered[i] as { screen: Screen };
  justRendered.splice(i, 1);
  return validateScreen(screen) ? screen : undefined;
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

/** The action a descriptor performs: its request must post to this origin's actions API, for a live action. */
function decode(action: ScreenAction, options: InspectOptions, limits: Limits): Inspection["controls"][number]["decoded"] {
  const prefix = actionEndpoint(options.baseUrl, "");
  const key = action.request.url.startsWith(prefix) ? action.request.url.slice(prefix.length) : "";
  if (options.actions.some((a) => a.enabled && a.key === key)) return { key, input: { ...action.request.body.input } };
  limits.push({ rule: "mobile.action.request", detail: `Action "${action.id}" posts to ${action.request.url}, not to a live action.` });
  return null;
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

/** Every rule about how components and actions refer to each other. */
function checkReferences(parsed: Parsed, limits: Limits): void {
  const ids = parsed.actions.map((a) => a.id);
  for (const id of duplicates(ids)) limits.push({ rule: "mobile.action.unique", detail: `Two actions have the id "${id}".` });
  for (const id of duplicates(parsed.sections.map((s) => s.id)))
    limits.push({ rule: "mobile.section.unique", detail: `Two sections "${id}".` });
  const reached = referencedIds(parsed.sections);
  for (const id of reached)
    if (!ids.includes(id))
      limits.push({ rule: "mobile.action.dangling", detail: `A component points to "${id}", which is not an action.` });
  // An action no button or row performs is offered to nobody (docs/channels.md rule 1): a picker alone cannot send it.
  const tappable = referencedIds(parsed.sections, false);
  for (const id of ids)
    if (!tappable.has(id)) limits.push({ rule: "mobile.action.unreferenced", detail: `No button or row performs action "${id}".` });
  for (const s of parsed.sections) {
    // docs/channels.md, "Counting and cutting": never two identical labels in one message — here, among one section's buttons.
    const labels = s.components.flatMap((x) => (isKnown(x) && x.type === "button" ? [x.label] : []));
    for (const label of duplicates(labels))
      limits.push({ rule: "mobile.label.unique", detail: `Two buttons "${label}" in section "${s.id}".` });
  }
}

/** Every URL a customer can follow, and the rules on them: pages and deep links on the project's origin, images with alt text. */
function collectLinks(parsed: Parsed, options: InspectOptions, limits: Limits): string[] {
  const origin = originOf(options.baseUrl);
  const onOrigin = (url: string) => url === origin || url.startsWith(`${origin}/`);
  const pages = [...(parsed.url ? [parsed.url] : []), ...parsed.actions.map((a) => a.deepLink)];
  const images: { url: string; alt: string }[] = [];
  for (const s of parsed.sections)
    for (const comp of s.components) {
      if (!isKnown(comp)) continue;
      if (comp.type === "link") pages.push(comp.url);
      if (comp.type === "image") images.push(comp);
      if (comp.type === "list") for (const item of comp.items) if (item.image) images.push(item.image);
    }
  // Universal / app links only open the app for the project's own domain (docs/channels.md rule 4).
  for (const url of pages) if (!onOrigin(url)) limits.push({ rule: "mobile.link.origin", detail: `${url} is not on ${origin}.` });
  for (const image of images)
    if (!image.alt.trim()) limits.push({ rule: "mobile.image.alt", detail: `The image ${image.url} has no alt text.` });
  return [...pages, ...images.map((i) => i.url)];
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
  checkReferences(parsed, limits);
  const links = collectLinks(parsed, options, limits);
  const buttonLabel = new Map<string, string>();
  for (const s of parsed.sections)
    for (const comp of s.components)
      if (isKnown(comp) && comp.type === "button" && !buttonLabel.has(comp.actionId)) buttonLabel.set(comp.actionId, comp.label);
  const controls = parsed.actions.map((action) => ({
    label: buttonLabel.get(action.id) ?? action.label,
    decoded: decode(action, options, limits),
    control: { kind: "form" as const, method: "post" as const, action: action.request.url },
  }));
  // Older apps show each component's fallback: what those say is claimed too.
  const also = parsed.sections
    .flatMap((s) => s.components.map((c) => c.fallback?.text ?? ""))
    .filter(Boolean)
    .join("\n");
  return { text: screenText(parsed.title, parsed.sections), ...(also ? { also } : {}), controls, links, limits };
}
