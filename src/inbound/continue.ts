/**
 * Continuing a journey on a messaging channel: a customer who was given a
 * handoff code on one channel sends it, alone, on another (SMS, WhatsApp,
 * Telegram, Slack). The code is redeemed for the sender's identity — linking
 * it to the same customer, one cart and one timeline — and the reply is their
 * cart, drawn by the channel's renderer with its next steps.
 */

import { listDeliveryOptions } from "../catalogue/delivery";
import type { ViewContext } from "../catalogue/products";
import { catalogueActions } from "../channels/load";
import { wording } from "../channels/wording";
import type { Registry } from "../consistency/engine";
import type { Database } from "../db/client";
import type { Identity } from "../journeys/channels";
import { redeemHandoff } from "../journeys/handoffs";
import { type RenderedReply, renderReply } from "../journeys/replies";
import { ApiError } from "../lib/errors";

/**
 * @example
 * const reply = await continueHere(db, renderers, { code: "K7QM3XZT", identity: { channel: "whatsapp", externalId }, view, now });
 */
export async function continueHere(
  db: Database,
  registry: Registry,
  input: { code: string; identity: Identity; view: ViewContext; now: Date },
): Promise<{ ok: boolean; text: string; reply: RenderedReply | null }> {
  try {
    const redeemed = await redeemHandoff(db, { code: input.code, identity: input.identity }, input.now, input.view);
    const cart = redeemed.cart;
    const confirmation = wording(input.view.locale).continued;
    const detail = cart.lines.length
      ? `${cart.lines.map((l) => `${l.title} ×${l.quantity}`).join("; ")} — ${cart.subtotal.formatted}`
      : undefined;
    const reply = renderReply(registry, {
      channel: input.identity.channel,
      action: "handoff",
      confirmation,
      detail,
      result: { cart },
      locale: input.view.locale,
      baseUrl: input.view.baseUrl,
      actions: await catalogueActions(db, input.view),
      delivery: await listDeliveryOptions(db, input.view.locale),
    });
    return { ok: true, text: reply.text, reply };
  } catch (error) {
    // Used, expired or unknown: the customer is told why, on the channel, and nothing changes.
    if (error instanceof ApiError && error.status < 500) return { ok: false, text: error.message, reply: null };
    throw error;
  }
}
