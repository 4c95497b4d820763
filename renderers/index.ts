/**
 * The registry: exactly one renderer per channel, and one platform per messaging platform.
 * `satisfies` makes both exhaustive — add a channel to CHANNELS (or a platform to PLATFORMS) and this
 * file stops compiling until its renderer (or platform folder) is here (docs/architecture.md,
 * "Renderers and the registry", "Platforms"). Only the entries and tests import this file; the core
 * is given it (`AppDeps.renderers`, `AppDeps.platforms`).
 */
import type { Channel, Renderer } from "../src/channels/contract";
import type { Platforms } from "../src/channels/platform";
import { agentRenderer } from "./agent";
import { chatRenderer } from "./chat";
import { messengerPlatform } from "./chat/messenger";
import { slackPlatform } from "./chat/slack";
import { telegramPlatform } from "./chat/telegram";
import { whatsappPlatform } from "./chat/whatsapp";
import { mobileRenderer } from "./mobile";
import { smsRenderer } from "./sms";
import { smsPlatform } from "./sms/platform";
import { webRenderer } from "./web";

export const renderers = {
  web: webRenderer,
  mobile: mobileRenderer,
  sms: smsRenderer,
  chat: chatRenderer,
  agent: agentRenderer,
} as const satisfies Record<Channel, Renderer>;

/** The messaging platforms, in the order their webhooks are documented. */
export const platforms = {
  sms: smsPlatform,
  slack: slackPlatform,
  telegram: telegramPlatform,
  whatsapp: whatsappPlatform,
  messenger: messengerPlatform,
} as const satisfies Platforms;
