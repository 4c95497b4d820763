/**
 * `POST /v1/inbound/sms`: Twilio's messaging webhook. The SMS platform (`renderers/sms/`, through
 * the registry) documents it, checks `X-Twilio-Signature` (no API key), reads the form and writes TwiML. Compliance words are
 * handled before anything else; a number that opted out is never sent anything;
 * a replayed MessageSid is processed once (its first reply is replayed).
 */
import { menuText, parseSms } from "../../channels/commands";
import { catalogueActions } from "../../channels/load";
import type { SmsPlatform } from "../../channels/platform";
import { fitSms, SMS_SEGMENT_BUDGET } from "../../channels/sms-text";
import { refusalText } from "../../channels/wording";
import { continueHere } from "../../inbound/continue";
import { setSmsConsent, smsOptedOut } from "../../journeys/consent";
import { resolveCustomer } from "../../journeys/customers";
import { deliveredMessageId, recordInteraction } from "../../journeys/interactions";
import { invokeAction } from "../../journeys/invoke";
import { askForMissing } from "../../journeys/replies";
import type { Router } from "../../lib/create-router";
import { ApiError, validationError } from "../../lib/errors";
import { viewContext } from "../delivery/delivery.index";
import { refused, routeOf, webhookRequest } from "./webhook";

/** The principal idempotency keys of inbound SMS are scoped to (Twilio is not an API key). */
const INBOUND_SMS = "inbound:sms";

export function registerInboundSmsRoutes(app: Router, platform: SmsPlatform) {
  const hook = platform.webhook;
  app.openapi(routeOf(hook.doc, "text/xml"), async (c) => {
    const config = c.get("config");
    const missing = hook.unconfigured(config);
    if (missing) throw new ApiError("service_unavailable", missing);
    const request = await webhookRequest(c);
    try {
      await hook.verify(request);
    } catch (error) {
      throw refused(error);
    }
    const read = hook.read(request);
    if ("issues" in read) throw validationError(read.issues, "body");
    const { messageId: MessageSid, from: From, to: To, text: Body } = read.message;
    const db = c.get("db");
    const now = c.get("clock")();
    const view = await viewContext(c, undefined);
    // Replies are Smart-Encoded (GSM-7 where possible) and kept within the segment budget.
    const xml = (message: string | null) => {
      const { body, contentType } = hook.reply(message === null ? null : fitSms(message, SMS_SEGMENT_BUDGET).text);
      return c.body(body, 200, { "content-type": contentType });
    };

    // Compliance words come first, and a number that opted out gets nothing at all.
    // One read of the live catalogue (cached by its revisions): keywords decode against it, replies offer from it.
    const catalogue = await catalogueActions(db, view);
    const actions = catalogue.map((a) => a.view);
    const command = parseSms(Body, actions);
    const at = now.toISOString();
    if (command.kind === "opt_out" || command.kind === "opt_in") {
      const optedOut = command.kind === "opt_out";
      await db.atomic((orm) => [setSmsConsent(orm, From, optedOut, at)]);
      return xml(optedOut ? null : `${config.SMS_BRAND}: you are subscribed again. Reply HELP for help, STOP to opt out.`);
    }
    if (await smsOptedOut(db, From)) return xml(null);
    if (command.kind === "help") return xml(hook.helpText(config.SMS_BRAND, config.SMS_SUPPORT));

    const identity = { channel: "sms" as const, externalId: From };
    const resolved = await resolveCustomer(db, { identity, channel: "sms" }, now);
    const inboundId = await deliveredMessageId("sms", MessageSid, "inbound");
    await db.atomic((orm) => [
      recordInteraction(orm, {
        id: inboundId,
        customerId: resolved.customer.id,
        channel: "sms",
        direction: "inbound",
        summary: Body.slice(0, 160),
        // `to`: the store's number they texted, which agents' SMS replies are sent from.
        payload: { MessageSid, body: Body, to: To },
        at,
      }),
    ]);
    if (command.kind === "unknown") return xml(menuText(actions));
    if (command.kind === "redeem") {
      const continued = await continueHere(db, c.get("renderers"), { code: command.code, identity, view, now });
      return xml(
        continued.reply && typeof continued.reply.body === "string" ? continued.reply.body : `${continued.text} ${menuText(actions)}`,
      );
    }
    const ask = askForMissing(c.get("renderers"), {
      channel: "sms",
      key: command.key,
      input: command.input,
      locale: view.locale,
      baseUrl: view.baseUrl,
      actions: catalogue,
    });
    if (ask) return xml(String(ask.body));

    try {
      const outcome = await invokeAction(db, {
        registry: c.get("renderers"),
        key: command.key,
        request: { channel: "sms", identity, input: command.input },
        idempotencyKey: `sms:${MessageSid}`,
        apiKeyId: INBOUND_SMS,
        requestId: c.get("requestId"),
        view,
        now,
      });
      // The reply as the SMS renderer drew it (within the segment budget, next steps as keywords).
      const body = JSON.parse(outcome.body) as { reply?: { body: unknown; text: string }; code?: string; detail?: string };
      const reply = typeof body.reply?.body === "string" ? body.reply.body : body.reply?.text;
      return xml(reply ?? (body.detail === undefined ? menuText(actions) : refusalText(view.locale, body)));
    } catch (error) {
      // The customer sent something we could not act on: tell them why, in the SMS, not as an HTTP error.
      if (error instanceof ApiError && error.status < 500) return xml(`${refusalText(view.locale, error)} ${menuText(actions)}`);
      throw error;
    }
  });
}
