/**
 * The command language every messaging channel shares (part of the channel contract): what a customer
 * types — compliance words first (docs/channels.md, "SMS"), then action keywords from the catalogue
 * ("ADD MER-CRE-M 2"), then numbered choices from the menu every unknown message gets — and what a
 * chat button carries (`a:<action>[:<argument>]`, {@link decodePostback}, the inverse of `postbackFor`).
 * Inbound webhooks read messages with it; renderers and the consistency engine decode the controls
 * they drew with it, so both sides agree on every argument. Pure and runtime-neutral.
 */
import type { ActionView } from "../catalogue/actions";
import { HANDOFF_CODE_LENGTH, isCodeLike } from "../journeys/codes";

/** Only a single-word message triggers these. */
export const OPT_OUT_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
export const OPT_IN_WORDS = new Set(["START", "YES", "UNSTOP"]);
export const HELP_WORDS = new Set(["HELP", "INFO"]);

export type SmsCommand =
  | { kind: "opt_out" }
  | { kind: "opt_in" }
  | { kind: "help" }
  | { kind: "action"; key: string; input: Record<string, unknown> }
  /** A handoff code sent as the whole message: continue this journey here. */
  | { kind: "redeem"; code: string }
  | { kind: "unknown" };

/** Actions that need nothing but the keyword: what the numbered menu offers. */
const MENU_ACTIONS = ["view_cart", "checkout", "contact_agent", "handoff"];

/** The numbered menu: argument-free actions, in a fixed order. */
export function smsMenu(actions: readonly ActionView[]): ActionView[] {
  return MENU_ACTIONS.map((key) => actions.find((a) => a.key === key && a.enabled)).filter((a): a is ActionView => !!a);
}

const integer = (s: string | undefined) => (s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : s);

/**
 * The argument an action that is not built in takes, from what it applies to — the same rule the
 * view models use when they offer it (`views.ts`): a product action takes the product's slug, an
 * order action the order number, anything else nothing.
 */
export function customArgument(appliesTo: readonly string[]): "slug" | "orderNumber" | null {
  if (appliesTo.includes("product")) return "slug";
  if (appliesTo.includes("order")) return "orderNumber";
  return null;
}

/** Turns the words after a keyword into the action's input (the action's own schema validates it). */
export function inputFor(action: Pick<ActionView, "key" | "appliesTo">, args: string[], rest: string): Record<string, unknown> {
  switch (action.key) {
    case "view_product":
      return { slug: args[0]?.toLowerCase() };
    case "add_to_cart":
      return { sku: args[0]?.toUpperCase(), ...(args[1] !== undefined ? { quantity: integer(args[1]) } : {}) };
    case "update_quantity":
      return { sku: args[0]?.toUpperCase(), quantity: integer(args[1]) };
    case "remove_from_cart":
    case "notify_back_in_stock":
      return { sku: args[0]?.toUpperCase() };
    case "order_status":
    case "cancel_order":
      return { orderNumber: args[0]?.toUpperCase() };
    case "request_return": {
      const reason = rest.split(/\s+/).slice(1).join(" ").trim();
      return { orderNumber: args[0]?.toUpperCase(), ...(reason ? { reason } : {}) };
    }
    case "contact_agent":
      return rest ? { message: rest } : {};
    case "rate_experience": {
      const comment = rest.split(/\s+/).slice(1).join(" ").trim();
      return { score: integer(args[0]), ...(comment ? { comment } : {}) };
    }
    case "recommend": {
      const comment = rest.split(/\s+/).slice(1).join(" ").trim();
      return { likelihood: integer(args[0]), ...(comment ? { comment } : {}) };
    }
    case "handoff":
      return { to: "web" };
    case "checkout":
      // "CHECKOUT pickup": the delivery option's key (keys are lowercase, like slugs).
      return args[0] !== undefined ? { deliveryOption: args[0].toLowerCase() } : {};
    default: {
      const field = customArgument(action.appliesTo);
      const arg = args[0];
      if (!field || arg === undefined) return {};
      return { [field]: field === "slug" ? arg.toLowerCase() : arg.toUpperCase() };
    }
  }
}

/**
 * @example
 * parseSms("add mer-cre-m 2", actions) // { kind: "action", key: "add_to_cart", input: { sku: "MER-CRE-M", quantity: 2 } }
 */
export function parseSms(body: string, actions: readonly ActionView[]): SmsCommand {
  const text = body.normalize("NFKC").trim();
  const words = text.split(/\s+/).filter(Boolean);
  const first = (words[0] ?? "").toUpperCase().replace(/[.!?]+$/, "");
  if (words.length === 1) {
    if (OPT_OUT_WORDS.has(first)) return { kind: "opt_out" };
    if (OPT_IN_WORDS.has(first)) return { kind: "opt_in" };
    if (HELP_WORDS.has(first)) return { kind: "help" };
    if (/^\d{1,2}$/.test(first)) {
      const chosen = smsMenu(actions)[Number(first) - 1];
      return chosen ? { kind: "action", key: chosen.key, input: inputFor(chosen, [], "") } : { kind: "unknown" };
    }
  }
  const action = actions.find((a) => a.enabled && a.keyword === first);
  if (!action) {
    // "K7QM3XZT" alone: the handoff code another channel gave (a keyword wins over a code-shaped word).
    return words.length === 1 && isCodeLike(first, HANDOFF_CODE_LENGTH) ? { kind: "redeem", code: first } : { kind: "unknown" };
  }
  const rest = text.slice(words[0]?.length ?? 0).trim();
  return { kind: "action", key: action.key, input: inputFor(action, words.slice(1), rest) };
}

/** The longest postback argument any platform carries (WhatsApp's button id takes 256 characters). */
export const POSTBACK_ARGUMENT_MAX = 250;

const POSTBACK = new RegExp(`^a:([a-z][a-z0-9_]{0,63})(?::(.{1,${POSTBACK_ARGUMENT_MAX}}))?$`);

/**
 * Chat button payloads (WhatsApp `button_reply.id`, Telegram `callback_data`, …) are
 * `a:<action key>[:<argument>]`. Any valid action key (≤ 64) and argument (a 64-character SKU, a
 * 100-character slug) decodes: whether a payload fits a platform is the renderer's concern (it falls
 * back to a keyword and a link), never the decoder's.
 *
 * @example
 * decodePostback("a:add_to_cart:MER-CRE-M") // { key: "add_to_cart", input: { sku: "MER-CRE-M" } }
 */
export function decodePostback(data: string, actions: readonly ActionView[]): SmsCommand {
  const match = POSTBACK.exec(data);
  const action = match && actions.find((a) => a.enabled && a.key === match[1]);
  if (!match || !action) return { kind: "unknown" };
  const arg = match[2];
  return { kind: "action", key: action.key, input: inputFor(action, arg ? [arg] : [], arg ?? "") };
}

/** The keyword menu: "Reply 1 or CART to view your cart, …". */
export function menuText(actions: readonly ActionView[]): string {
  const menu = smsMenu(actions)
    .map((a, i) => `${i + 1} or ${a.keyword}: ${a.label}`)
    .join("; ");
  return `Reply ${menu}. HELP for help, STOP to opt out.`;
}
