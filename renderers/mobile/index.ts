/**
 * The mobile renderer (docs/channels.md, "Mobile"): a
 * versioned JSON screen of sections of typed components, plus one action
 * descriptor per offer — its label, the https web page it lives on (the
 * universal / app link) and the exact request that performs it. Structure is
 * built in code (no templates: there is no prose to template), in a fixed key
 * order, with no timestamps or random ids, so the same view always gives the
 * same bytes and the same strong ETag.
 *
 * Every component carries a plain-text `fallback`, so an app that predates a
 * component type still shows something (README.md, "The fallback rule").
 */
import type {
  ActionOffer,
  CartRenderView,
  EntityView,
  Inspection,
  InspectOptions,
  MessageRenderView,
  OrderRenderView,
  ProductListRenderView,
  ProductRenderView,
  Rendered,
  Renderer,
  RenderOptions,
} from "../../src/channels/contract";
import { factsNotIn, uniqueLabels } from "../../src/channels/contract";
import { actionEndpoint, inspectScreen, referencedIds, renderedScreens, screenText } from "./inspect";
import { type Component, SCHEMA_VERSION, SCREEN_CONTENT_TYPE, type Screen, type ScreenAction } from "./schema";
import screenSchema from "./screen.schema.json";

type Degradations = Rendered["manifest"]["degradations"];
/** A section as built: known component types only (a type alias, so it fits the schema's loose objects). */
type Section = { id: string; components: Component[] };

/**
 * Removes control characters (all but the newline): they have no meaning in a
 * label and some app text views draw them as boxes. RTL marks, emoji and markup
 * stay — JSON carries them as plain strings and the app draws text, not HTML.
 */
export function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "").trim();
}

/** An action's id on the screen: its key and fixed arguments (`add_to_cart:MER-CRE-SWE-S-NAVY`). */
export function actionId(offer: Pick<ActionOffer, "key" | "input">): string {
  return [offer.key, ...Object.values(offer.input)].join(":");
}

// --- Components: each with the plain-text fallback an older app shows --------------------

const fb = (text: string) => ({ type: "text" as const, text });
const join = (...parts: (string | null | undefined)[]) => parts.filter((p): p is string => !!p).join(" · ");

// Each builder cleans a string once and uses the result for the field and its fallback.
const c = {
  heading: (text: string, level: 1 | 2 = 1): Component => {
    const t = clean(text);
    return { type: "heading", text: t, level, fallback: fb(t) };
  },
  text: (text: string): Component => {
    const t = clean(text);
    return { type: "text", text: t, fallback: fb(t) };
  },
  image: (url: string, alt: string): Component => {
    const a = clean(alt);
    return { type: "image", url, alt: a, fallback: fb(a) };
  },
  price: (text: string, compareAt: string | null): Component => {
    const t = clean(text);
    const was = compareAt === null ? null : clean(compareAt);
    // The fallback tests the raw compareAt, as before: one of control characters only still gets its "()".
    return { type: "price", text: t, compareAt: was, fallback: fb(compareAt ? `${t} (${was})` : t) };
  },
  badge: (text: string, tone: "positive" | "warning" | "negative" | "neutral"): Component => {
    const t = clean(text);
    return { type: "badge", text: t, tone, fallback: fb(t) };
  },
  notice: (text: string, tone: "info" | "success" | "error"): Component => {
    const t = clean(text);
    return { type: "notice", text: t, tone, fallback: fb(t) };
  },
  keyValue: (pairs: { label: string; value: string }[]): Component => {
    // A pair with a blank side would show a dangling "Care:"; the schema requires both.
    const items = pairs.map((p) => ({ label: clean(p.label), value: clean(p.value) })).filter((p) => p.label && p.value);
    return { type: "keyValue", items, fallback: fb(items.map((i) => `${i.label}: ${i.value}`).join("\n")) };
  },
  button: (label: string, id: string, style: "primary" | "secondary"): Component => {
    const l = clean(label);
    return { type: "button", label: l, actionId: id, style, fallback: fb(l) };
  },
  link: (text: string, url: string): Component => {
    const t = clean(text);
    return { type: "link", text: t, url, fallback: fb(`${t} ${url}`) };
  },
};

const AVAILABILITY_TONE: Record<string, "positive" | "warning" | "negative" | "neutral"> = {
  in_stock: "positive",
  low_stock: "warning",
  preorder: "neutral",
  out_of_stock: "negative",
};

const STATUS_TONE: Record<string, "positive" | "warning" | "negative" | "neutral"> = {
  placed: "positive",
  return_requested: "warning",
  cancelled: "negative",
  returned: "neutral",
};

type Button = Extract<Component, { type: "button" }>;
const isButton = (x: Component): x is Button => x.type === "button";

/** A section, or nothing when it would be empty (an empty section is a blank on screen). */
function section(id: string, components: (Component | null)[]): Section[] {
  const present = components.filter((x): x is Component => x !== null);
  return present.length ? [{ id, components: present }] : [];
}

/** Text components only for text there is: the schema requires non-empty text. */
const textIf = (text: string) => (clean(text) ? c.text(text) : null);
const keyValueIf = (pairs: { label: string; value: string }[]) => {
  const kv = c.keyValue(pairs);
  return kv.type === "keyValue" && kv.items.length ? kv : null;
};

// --- Sections per view kind ----------------------------------------------------------------

/** What a kind's layout needs: the id of an offer's action, and where to report a degradation. */
interface Layout {
  idOf: (offer: ActionOffer) => string;
  degradations: Degradations;
}

function productSections(view: ProductRenderView, layout: Layout): Section[] {
  const images = view.media.map((m, i) => {
    if (clean(m.alt)) return c.image(m.url, m.alt);
    // Alt text is required (a screen reader has nothing else): the title stands in, and says so.
    layout.degradations.push({ rule: "mobile.image.alt", detail: `Image ${i + 1} has no alt text; the product title stands in.` });
    return c.image(m.url, view.title);
  });
  const add = view.actions.find((a) => a.key === "add_to_cart");
  const picker: Component | null =
    view.variants.length > 1
      ? {
          type: "variantPicker",
          label: clean(view.ui.variant),
          actionId: add ? layout.idOf(add) : null,
          field: "sku",
          options: view.variants.map((v) => ({
            sku: v.sku,
            title: clean(v.title),
            price: clean(v.price),
            compareAt: v.compareAtPrice === null ? null : clean(v.compareAtPrice),
            availabilityText: clean(v.availabilityText),
            enabled: v.purchasable,
          })),
          fallback: fb(view.variants.map((v) => clean(join(v.title, v.price, v.availabilityText))).join("\n")),
        }
      : null;
  const attributes = keyValueIf(view.attributes);
  const dropped = view.attributes.length - (attributes?.type === "keyValue" ? attributes.items.length : 0);
  if (dropped)
    layout.degradations.push({ rule: "mobile.keyValue.blank", detail: `${dropped} attribute(s) with a blank label or value left out.` });
  return [
    ...section("hero", [
      ...images,
      c.heading(view.title),
      c.price(view.price, view.compareAtPrice),
      c.badge(view.availabilityText, AVAILABILITY_TONE[view.availability] ?? "neutral"),
      textIf(view.summary),
    ]),
    ...section("variants", [picker]),
    ...section("details", [textIf(view.description), attributes]),
  ];
}

function productListSections(view: ProductListRenderView, layout: Layout): Section[] {
  const list: Component = {
    type: "list",
    items: view.items.map((item) => ({
      title: clean(item.title),
      subtitle: clean(join(item.price, item.availabilityText)),
      image: item.image ? { url: item.image.url, alt: clean(item.image.alt) || clean(item.title) } : null,
      // The row opens the item: its first offer (view_product); any further offers become buttons below.
      actionId: item.actions[0] ? layout.idOf(item.actions[0]) : null,
    })),
    fallback: fb(view.items.map((i) => clean(join(i.title, i.price, i.availabilityText))).join("\n")),
  };
  return [
    ...section("header", [c.heading(view.title)]),
    ...section("items", [view.items.length ? list : null]),
    ...section("more", [view.nextUrl ? c.link(view.ui.more, view.nextUrl) : null]),
  ];
}

function messageSections(view: MessageRenderView): Section[] {
  return section("message", [c.heading(view.title), textIf(view.body)]);
}

function cartSections(view: CartRenderView, layout: Layout): Section[] {
  if (view.empty) return section("header", [c.heading(view.title), c.notice(view.ui.emptyCart, "info")]);
  const lines = view.lines.flatMap((line, i) =>
    section(`line-${i + 1}`, [
      c.heading(line.title, 2),
      c.keyValue([
        { label: view.ui.quantity, value: String(line.quantity) },
        { label: view.ui.price, value: line.unitPrice },
        { label: view.ui.total, value: line.lineTotal },
      ]),
      line.priceChangedTo ? c.notice(`${line.unitPrice} → ${line.priceChangedTo}`, "info") : null,
      ...line.actions.map((a) => c.button(a.label, layout.idOf(a), "secondary")),
    ]),
  );
  return [
    ...section("header", [c.heading(view.title)]),
    ...lines,
    ...section("summary", [c.keyValue([{ label: view.ui.total, value: view.subtotal }])]),
    // The delivery options (facts of the cart); pick-up ones are also buttons in the actions section.
    ...section(
      "delivery",
      view.delivery.map((d) => c.text(d.text)),
    ),
  ];
}

function orderSections(view: OrderRenderView): Section[] {
  const list: Component = {
    type: "list",
    items: view.lines.map((l) => ({
      title: clean(l.title),
      subtitle: clean(join(`${view.ui.quantity}: ${l.quantity}`, l.lineTotal)),
      image: null,
      actionId: null,
    })),
    fallback: fb(view.lines.map((l) => clean(join(l.title, `${view.ui.quantity}: ${l.quantity}`, l.lineTotal))).join("\n")),
  };
  return [
    ...section("header", [c.heading(view.title), c.badge(view.statusText, STATUS_TONE[view.status] ?? "neutral")]),
    ...section("lines", [view.lines.length ? list : null]),
    ...section("summary", [
      c.keyValue([
        { label: view.ui.order, value: view.number },
        { label: view.ui.status, value: view.statusText },
        { label: view.ui.total, value: view.total },
      ]),
    ]),
  ];
}

function sectionsFor(view: EntityView, layout: Layout): Section[] {
  switch (view.kind) {
    case "product":
      return productSections(view, layout);
    case "product_list":
      return productListSections(view, layout);
    case "message":
      return messageSections(view);
    case "cart":
      return cartSections(view, layout);
    case "order":
      return orderSections(view);
    case "action_result":
      return section("result", [c.heading(view.title), clean(view.text) ? c.notice(view.text, view.ok ? "success" : "error") : null]);
  }
}

function screenId(view: EntityView): string {
  switch (view.kind) {
    case "product":
      return `product/${view.slug}`;
    case "product_list":
      return `product_list/${view.category ?? "all"}`;
    case "message":
      return `message/${view.key}`;
    case "cart":
      return "cart";
    case "order":
      return `order/${view.number}`;
    case "action_result":
      return `action_result/${view.action}`;
  }
}

// --- Actions ---------------------------------------------------------------------------------

/** The offers with distinct ids, first occurrence kept: an offer repeated with the same arguments is the same action. */
function distinctOffers(offers: readonly ActionOffer[]): ActionOffer[] {
  const ids = new Set<string>();
  return offers.filter((o) => {
    const id = actionId(o);
    if (ids.has(id)) return false;
    ids.add(id);
    return true;
  });
}

/** One descriptor per distinct offer; a repeated offer is merged into one action, and reported. */
function screenActions(view: EntityView, baseUrl: string, degradations: Degradations): ScreenAction[] {
  const distinct = distinctOffers(view.actions);
  if (distinct.length < view.actions.length)
    degradations.push({
      rule: "mobile.action.unique",
      detail: `${view.actions.length - distinct.length} repeated offer(s) merged: one action serves each.`,
    });
  return distinct.map((offer) => {
    const id = actionId(offer);
    return {
      id,
      label: clean(offer.label),
      deepLink: offer.deepLink,
      request: {
        method: "POST",
        url: actionEndpoint(baseUrl, offer.key),
        headers: { "content-type": "application/json" },
        body: { input: { ...offer.input } },
        params: [...offer.params],
      },
    };
  });
}

/**
 * Labels never repeat among one section's buttons (docs/channels.md, "Counting and cutting": never two
 * identical labels in one message): a repeat gets a number, and is reported.
 */
function distinctButtonLabels(sections: Section[], degradations: Degradations): Section[] {
  return sections.map((s) => {
    const buttons = s.components.filter(isButton);
    const labels = uniqueLabels(
      buttons.map((b) => b.label),
      Number.MAX_SAFE_INTEGER,
    );
    if (buttons.every((b, i) => labels[i] === b.label)) return s;
    degradations.push({ rule: "mobile.label.unique", detail: `Repeated button labels in section "${s.id}" were numbered.` });
    const renamed = new Map(buttons.map((b, i) => [b, labels[i] ?? b.label]));
    return { id: s.id, components: s.components.map((x) => (isButton(x) ? c.button(renamed.get(x) ?? x.label, x.actionId, x.style) : x)) };
  });
}

// --- The renderer ----------------------------------------------------------------------------

/**
 * Builds the screen of a view (an object in the order it is serialised).
 *
 * @example
 * const screen = buildScreen(view, "https://shop.example", []);
 */
export function buildScreen(view: EntityView, baseUrl: string, degradations: Degradations): Screen {
  const actions = screenActions(view, baseUrl, degradations);
  const sections = sectionsFor(view, { idOf: actionId, degradations });
  const header = { id: screenId(view), kind: view.kind, title: clean(view.title), locale: view.locale, url: view.url };
  // Facts the content does not show yet get a facts line of their own (docs/channels.md rule 3: the same facts everywhere).
  const missing = factsNotIn(view.facts, screenText(header.title, sections), clean);
  const facts = missing.length ? section("facts", [c.text(missing.map((f) => f.value).join(" · "))]) : [];
  // Every offer needs a control (docs/channels.md rule 1): those no row reaches become buttons, the first one primary.
  const reached = referencedIds(sections, false);
  const buttons = actions.filter((a) => !reached.has(a.id)).map((a, i) => c.button(a.label, a.id, i === 0 ? "primary" : "secondary"));
  return {
    schemaVersion: SCHEMA_VERSION,
    screen: header,
    sections: distinctButtonLabels([...sections, ...facts, ...section("actions", buttons)], degradations),
    actions,
  };
}

/**
 * The mobile channel's renderer: `screen` JSON, served as `application/json`.
 *
 * @example
 * const out = mobileRenderer.render(view, { baseUrl: "https://shop.example" });
 * const seen = mobileRenderer.inspect(out.body, { format: out.format, baseUrl, actions });
 */
export const mobileRenderer: Renderer = {
  channel: "mobile",
  formats: ["screen"],
  normalizeFact: clean,
  bodySchemas: { screen: screenSchema },

  render(view: EntityView, options: RenderOptions): Rendered {
    const format = options.format ?? "screen";
    if (format !== "screen") throw new Error(`The mobile renderer has no format "${format}" (it renders "screen").`);
    const degradations: Degradations = [];
    const screen = buildScreen(view, options.baseUrl, degradations);
    const body = renderedScreens.stringify(screen);
    return {
      channel: "mobile",
      format,
      contentType: SCREEN_CONTENT_TYPE,
      body,
      manifest: {
        facts: view.facts,
        actions: distinctOffers(view.actions).map((o) => ({
          key: o.key,
          input: o.input,
          label: clean(o.label),
          control: { kind: "form", method: "post", action: actionEndpoint(options.baseUrl, o.key) },
        })),
        degradations,
      },
    };
  },

  inspect(body: string, options: InspectOptions): Inspection {
    return inspectScreen(body, options);
  },
};
