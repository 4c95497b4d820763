/**
 * The channel registry: exactly one renderer per channel. `satisfies` makes it
 * exhaustive — add a channel to CHANNELS and this file stops compiling until
 * its renderer is here (docs/architecture.md, "Renderers and the registry").
 */
import type { Channel, Renderer } from "../src/channels/contract";
import { agentRenderer } from "./agent";
import { chatRenderer } from "./chat";
import { mobileRenderer } from "./mobile";
import { smsRenderer } from "./sms";
import { webRenderer } from "./web";

export const renderers = {
  web: webRenderer,
  mobile: mobileRenderer,
  sms: smsRenderer,
  chat: chatRenderer,
  agent: agentRenderer,
} as const satisfies Record<Channel, Renderer>;
