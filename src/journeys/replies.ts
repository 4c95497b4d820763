/**
 * Replies to actions, rendered for the channel the customer is on: the same
 * action result, drawn by that channel's renderer (TwiML-ready text for SMS, a
 * native WhatsApp / Slack / Telegram / Messenger payload for chat, a screen
 * for mobile, a page for web), with what the customer can naturally do next —
 * offered as that channel's controls.
 */
import type { DeliveryOptionView } from "../catalogue/delivery";
import type { ProductView } from "../catalogue/products";
import type { ActionOffer, EntityView, Fact } from "../channels/contract";
import {
  actionResultRenderView,
  type CatalogueAction,
  cartRenderView,
  offer,
  orderRenderView,
  PARAM_CHOICES,
  productRenderView,
} from "../channels/views";
import { wording } from "../channels/wording";
import type { Registry } from "../consistency/engine";
import type { CartView } from "./carts";
import type { JourneyChannel } from "./channels";
import { RENDERER_OF } from "./channels";
import type { OrderView } from "./orders";

/** The platform format each journey channel's replies are drawn in. */
export const FORMAT_OF = {
  sms: "text",
  whatsapp: "whatsapp",
  slack: "slack",
  telegram: "telegram",
  messenger: "messenger",
  web: "html",
  mobile: "screen",
  agent: "mcp",
} as const satisfies Record<JourneyChannel, string>;

export interface ReplyInput {
  channel: JourneyChannel;
  action: string;
  /** The catalogue's confirmation text ("Added to your cart."). */
  confirmation: string;
  /** What the action did, in words ("Merino crew ×1 — €89.00"). */
  detail: string | undefined;
  /** The action's result (`cart`, `order`, `product` …), for the next steps. */
  result: unknown;
  locale: string;
  baseUrl: string;
  actions: readonly CatalogueAction[];
  /** The locale's delivery options (`listDeliveryOptions`): a reply with a cart offers them. */
  delivery?: readonly DeliveryOptionView[];
}

export interface RenderedReply {
  channel: JourneyChannel;
  renderer: (typeof RENDERER_OF)[JourneyChannel];
  format: string;
  contentType: string;
  /** The native payload: text for SMS and web, the platform's JSON object for chat and mobile. */
  body: string | Record<string, unknown>;
  /** The reply as plain text (transcripts, accessibility, the timeline). */
  text: string;
}

/** What comes next after an action, from its result: checkout after a cart change, order actions after an order … */
function nextSteps(input: ReplyInput, renderer: (typeof RENDERER_OF)[JourneyChannel]): { next: ActionOffer[]; facts: Fact[]; url: string } {
  const result = (input.result ?? {}) as { cart?: CartView; order?: OrderView; product?: ProductView };
  if (result.order) {
    const view = orderRenderView(result.order, input.actions, renderer, input.locale, input.baseUrl);
    return { next: view.actions.filter((a) => a.key !== input.action), facts: view.facts.filter((f) => f.name !== "total"), url: view.url };
  }
  if (result.cart) {
    const view = cartRenderView(result.cart, input.actions, renderer, input.locale, input.baseUrl, input.delivery);
    // Cart-wide offers (check out, and check out with each pick-up option), not the per-line ones; the
    // delivery options are stated with their prices so every channel's reply makes the same claims.
    return {
      next: view.actions.filter((a) => Object.keys(a.input).length === 0 || a.key === "checkout"),
      facts: view.delivery.map((d) => ({ name: "delivery", value: d.text })),
      url: view.url,
    };
  }
  if (result.product) {
    const view = productRenderView({ overrides: [] }, result.product, input.actions, renderer);
    return { next: view.actions.filter((a) => a.key !== input.action), facts: view.facts, url: view.url };
  }
  return { next: [], facts: [], url: `${input.baseUrl}/` };
}

/** A reply view drawn by the channel's renderer in its platform format; JSON payloads come back as objects. */
function draw(registry: Registry, channel: JourneyChannel, view: EntityView, baseUrl: string, text: string): RenderedReply {
  const renderer = RENDERER_OF[channel];
  const format = FORMAT_OF[channel];
  const rendered = registry[renderer].render(view, { baseUrl, format });
  const json = rendered.contentType.includes("json");
  return {
    channel,
    renderer,
    format,
    contentType: rendered.contentType,
    body: json ? (JSON.parse(rendered.body) as Record<string, unknown>) : rendered.body,
    text,
  };
}

/**
 * @example
 * const reply = renderReply(renderers, { channel: "whatsapp", action: "add_to_cart", confirmation, detail, result, locale, baseUrl, actions });
 */
export function renderReply(registry: Registry, input: ReplyInput): RenderedReply {
  const renderer = RENDERER_OF[input.channel];
  const text = [input.confirmation, input.detail].filter((part): part is string => Boolean(part?.trim())).join(" ");
  const { next, facts, url } = nextSteps(input, renderer);
  const view = actionResultRenderView({
    action: input.action,
    // The heading names the action ("Order status"); the text carries the confirmation and what happened.
    title: input.actions.find((a) => a.view.key === input.action)?.view.label ?? input.confirmation,
    text,
    ok: true,
    locale: input.locale,
    url,
    facts,
    next,
  });
  return draw(registry, input.channel, view, input.baseUrl, text);
}

/** Actions whose required parameter the customer chooses from fixed values. */
const CHOSEN_PARAMS: Record<string, keyof typeof PARAM_CHOICES> = { rate_experience: "score", recommend: "likelihood" };

/** A choice's label: stars for a 1–5 score (but "4/5" on SMS: stars are not GSM-7 and would switch the reply to UCS-2), the number for 0–10. */
function choiceLabel(param: string, value: number, renderer: string): string {
  if (param === "likelihood") return String(value);
  return renderer === "sms" ? `${value}/5` : "★".repeat(value);
}

/**
 * A chat button or an SMS keyword cannot carry what a customer must choose
 * (a score): when a command arrives without it, the reply asks, offering one
 * control per choice — "★ 5 … 1" as buttons, `RATE 5 … RATE 1` as keywords.
 * Returns null when nothing is missing.
 *
 * @example
 * askForMissing(renderers, { channel: "whatsapp", key: "rate_experience", input: {}, locale, baseUrl, actions })
 */
export function askForMissing(
  registry: Registry,
  input: {
    channel: JourneyChannel;
    key: string;
    input: Record<string, unknown>;
    locale: string;
    baseUrl: string;
    actions: readonly CatalogueAction[];
  },
): RenderedReply | null {
  const missing = CHOSEN_PARAMS[input.key];
  const action = input.actions.find((a) => a.view.key === input.key && a.view.enabled);
  if (!missing || input.input[missing] !== undefined || !action) return null;
  const renderer = RENDERER_OF[input.channel];
  const url = `${input.baseUrl}/`;
  const next = (PARAM_CHOICES[missing] ?? []).map((value) => ({
    ...offer(action, renderer, { [missing]: value }, url),
    label: choiceLabel(missing, value, renderer),
  }));
  const text = wording(input.locale).choose[missing] ?? action.view.label;
  const view = actionResultRenderView({ action: input.key, title: action.view.label, text, ok: true, locale: input.locale, url, next });
  return draw(registry, input.channel, view, input.baseUrl, text);
}
