/**
 * Chat webhooks: `/v1/inbound/chat/{platform}`, one operation per chat platform in the registry that
 * has a webhook (Slack, Telegram, WhatsApp; docs/architecture.md, "Platforms"). The platform checks
 * its signature, reads its payloads and shapes each reply (`renderers/chat/<platform>/inbound.ts`);
 * this runs every message through the same action path as every other channel
 * (src/inbound/chat.ts). A platform message id seen twice is processed once.
 *
 * Telegram and Slack slash commands reply in the webhook response; WhatsApp replies go through the
 * Cloud API and Slack button replies through the interaction's `response_url`: each is recorded on
 * the customer's timeline (direction `outbound`) and queued for the outbound tick in the same write
 * (src/inbound/outbox.ts).
 */
import type { ChatEvent, ChatReply, Platforms } from "../../channels/platform";
import { handleChatMessage, recordChatReply } from "../../inbound/chat";
import type { Router } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { refused, routeOf, webhookRequest } from "./webhook";

/**
 * `/v1/inbound/chat/{platform}` for every chat platform in the registry that has a webhook: the
 * platform verifies and reads the request and shapes each reply; this runs each message through the
 * one action path and records (and queues) what leaves later.
 */
export function registerInboundChatRoutes(app: Router, platforms: Platforms) {
  for (const platform of Object.values(platforms)) {
    if (platform.channel !== "chat" || !platform.webhook) continue;
    const hook = platform.webhook;
    const { handshake } = hook;
    if (handshake) {
      app.openapi(routeOf(handshake.doc, "text/plain"), async (c) => {
        try {
          return c.text(handshake.answer(await webhookRequest(c)), 200);
        } catch (error) {
          throw refused(error);
        }
      });
    }
    app.openapi(routeOf(hook.doc, "application/json"), async (c) => {
      try {
        const missing = hook.unconfigured(c.get("config"));
        if (missing) throw new ApiError("service_unavailable", missing);
        const request = await webhookRequest(c);
        await hook.verify(request);
        const read = hook.read(request);
        if ("answer" in read) return c.json(read.answer, 200);
        const handled: { event: ChatEvent; reply: ChatReply }[] = [];
        for (const event of read.events) {
          const reply = await handleChatMessage(c, platform.id, event);
          const answer = hook.answer(event, reply, request);
          if (answer.record) await recordChatReply(c, platform.id, event, reply, { ...answer, record: answer.record });
          handled.push({ event, reply });
        }
        return c.json(hook.respond(handled, request), 200);
      } catch (error) {
        throw refused(error);
      }
    });
  }
}
