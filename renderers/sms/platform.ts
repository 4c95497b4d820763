/**
 * SMS through Twilio, in one place: the SMS renderer (index.ts, the channel's own), the messaging
 * webhook (inbound.ts, its signature check in signature.ts) and the Messages API sender (sender.ts).
 */
import type { SmsPlatform } from "../../src/channels/platform";
import { twilioWebhook } from "./inbound";
import { twilioSender } from "./sender";

export const smsPlatform: SmsPlatform = {
  id: "sms",
  name: "SMS",
  channel: "sms",
  webhook: twilioWebhook,
  sender: twilioSender,
};
