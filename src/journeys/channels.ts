/**
 * The channels a customer uses, as journeys see them. They are finer than the
 * renderers' channels: WhatsApp, Slack, Telegram and Messenger all render
 * through the `chat` renderer (with a platform adapter).
 */
import { z } from "@hono/zod-openapi";
import type { Channel } from "../catalogue/documents";
import { JOURNEY_CHANNELS, type JourneyChannel } from "../db/schema";

export { JOURNEY_CHANNELS, type JourneyChannel };

export const JourneyChannelSchema = z.enum(JOURNEY_CHANNELS).openapi("JourneyChannel", {
  description:
    "Where the customer is: `sms`, a messaging app (`whatsapp`, `slack`, `telegram`, `messenger`), `web`, `mobile`, or `agent` (an AI agent over MCP).",
  example: "whatsapp",
});

/** Which renderer draws replies for a journey channel (exhaustive: a new channel does not compile until it is mapped). */
export const RENDERER_OF = {
  sms: "sms",
  whatsapp: "chat",
  slack: "chat",
  telegram: "chat",
  messenger: "chat",
  web: "web",
  mobile: "mobile",
  agent: "agent",
} as const satisfies Record<JourneyChannel, Channel>;

/**
 * A customer's handle on one channel: a phone number in E.164 for SMS, a
 * WhatsApp id, a Slack user id, a Telegram chat id, a web session, a device id.
 */
export const IdentitySchema = z
  .strictObject({
    channel: JourneyChannelSchema,
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      // Control characters would end up in logs and agents' screens.
      .refine((v) => !/\p{Cc}/u.test(v), "Control characters are not allowed.")
      .openapi({ example: "+33612345678" }),
  })
  .superRefine((identity, ctx) => {
    if (identity.channel === "sms" && !/^\+[1-9]\d{6,14}$/.test(identity.externalId)) {
      ctx.addIssue({
        code: "custom",
        path: ["externalId"],
        message: "An SMS identity is a phone number in E.164 form, e.g. +33612345678.",
      });
    }
  })
  .openapi("Identity");
export type Identity = z.infer<typeof IdentitySchema>;
