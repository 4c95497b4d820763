/**
 * `POST /v1/inbound/sms`: Twilio's messaging webhook. Authenticated by
 * `X-Twilio-Signature` (no API key), answered with TwiML. Compliance words are
 * handled before anything else; a number that opted out is never sent anything;
 * a replayed MessageSid is processed once (its first reply is replayed).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { helpText, menuText, parseSms, twiml } from "../../channels/commands";
import { catalogueActions } from "../../channels/load";
import { fitSms, SMS_SEGMENT_BUDGET } from "../../channels/sms-text";
import { smsConsent } from "../../db/schema";
import { continueHere } from "../../inbound/continue";
import { parseForm, verifyTwilio } from "../../inbound/signatures";
import { resolveCustomer } from "../../journeys/customers";
import { deliveredMessageId, recordInteraction } from "../../journeys/interactions";
import { invokeAction } from "../../journeys/invoke";
import { askForMissing } from "../../journeys/replies";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses, validationError } from "../../lib/errors";
import { viewContext } from "../delivery/delivery.index";

/** The principal idempotency keys of inbound SMS are scoped to (Twilio is not an API key). */
const INBOUND_SMS = "inbound:sms";

const TwilioForm = z
  .object({
    MessageSid: z.string().min(1).max(64).openapi({ example: "SM0123456789abcdef0123456789abcdef" }),
    From: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "An E.164 phone number.")
      .openapi({ example: "+4791234567" }),
    To: z.string().min(1).max(64).openapi({ example: "+4798765432" }),
    Body: z.string().max(1600).default("").openapi({ example: "ADD MER-CRE-M-NAVY 1" }),
  })
  // Twilio adds parameters without notice: unknown fields are accepted (and signed).
  .passthrough();

const TwilioFormDoc = z
  .object({
    MessageSid: z.string().optional().openapi({ example: "SM0123456789abcdef0123456789abcdef" }),
    From: z.string().optional().openapi({ description: "E.164.", example: "+4791234567" }),
    To: z.string().optional().openapi({ example: "+4798765432" }),
    Body: z.string().optional().openapi({ example: "ADD MER-CRE-M-NAVY 1" }),
  })
  .passthrough()
  .openapi("TwilioMessageForm", { description: "Twilio's messaging webhook parameters (more are accepted and signed)." });

const route = createRoute({
  method: "post",
  path: "/v1/inbound/sms",
  tags: ["Inbound channels"],
  operationId: "inboundSms",
  summary: "Twilio SMS webhook",
  description:
    "Point a Twilio number's messaging webhook here. Requests must carry a valid `X-Twilio-Signature` (HMAC-SHA1 with `TWILIO_AUTH_TOKEN` over `PUBLIC_BASE_URL` + path + the sorted form parameters, exactly as the `twilio` package's `validateRequest`). STOP-class words opt out (nothing is sent), START-class opt back in, HELP answers; keywords from the action catalogue run actions (`ADD <sku> [qty]`, `CART`, `BUY`, `STATUS <order>`, `AGENT [message]`, …); anything else gets the keyword menu. A repeated `MessageSid` is processed once.",
  security: [],
  // Documented leniently: the strict TwilioForm is applied in the handler, after the signature check.
  request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: TwilioFormDoc } } } },
  responses: {
    200: {
      description: "TwiML: the reply, or an empty `<Response/>`.",
      content: { "text/xml": { schema: z.string().openapi({ example: "<Response><Message>Added to your cart.</Message></Response>" }) } },
    },
    ...errorResponses(400, 403, 413, 415, 503),
  },
});

export function registerInboundSmsRoutes(app: Router) {
  app.openapi(route, async (c) => {
    const config = c.get("config");
    if (!config.TWILIO_AUTH_TOKEN) throw new ApiError("service_unavailable", "SMS is not configured on this server (TWILIO_AUTH_TOKEN).");
    const raw = await c.req.text();
    const params = parseForm(raw);
    const url = new URL(c.req.url);
    // Twilio signs the public URL it called; behind a proxy that is PUBLIC_BASE_URL, not the URL we see.
    const signedUrl = `${config.PUBLIC_BASE_URL}${url.pathname}${url.search}`;
    if (!(await verifyTwilio(config.TWILIO_AUTH_TOKEN, c.req.header("x-twilio-signature"), signedUrl, params))) {
      throw new ApiError("forbidden", "The X-Twilio-Signature does not match this request.");
    }
    const form = TwilioForm.safeParse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
    if (!form.success) throw validationError(form.error.issues, "body");
    const { MessageSid, From, To, Body } = form.data;
    const db = c.get("db");
    const now = c.get("clock")();
    const view = await viewContext(c, undefined);
    // Replies are Smart-Encoded (GSM-7 where possible) and kept within the segment budget.
    const xml = (message: string | null) =>
      c.body(twiml(message === null ? null : fitSms(message, SMS_SEGMENT_BUDGET).text), 200, { "content-type": "text/xml; charset=utf-8" });

    // Compliance words come first, and a number that opted out gets nothing at all.
    // One read of the live catalogue (cached by its revisions): keywords decode against it, replies offer from it.
    const catalogue = await catalogueActions(db, view);
    const actions = catalogue.map((a) => a.view);
    const command = parseSms(Body, actions);
    const at = now.toISOString();
    if (command.kind === "opt_out" || command.kind === "opt_in") {
      const optedOut = command.kind === "opt_out";
      await db.atomic((orm) => [
        orm
          .insert(smsConsent)
          .values({ phone: From, optedOut, updatedAt: at })
          .onConflictDoUpdate({ target: smsConsent.phone, set: { optedOut, updatedAt: at } }),
      ]);
      return xml(optedOut ? null : `${config.SMS_BRAND}: you are subscribed again. Reply HELP for help, STOP to opt out.`);
    }
    const [consent] = await db.orm.select().from(smsConsent).where(eq(smsConsent.phone, From)).limit(1);
    if (consent?.optedOut) return xml(null);
    if (command.kind === "help") return xml(helpText(config.SMS_BRAND, config.SMS_SUPPORT));

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
      const body = JSON.parse(outcome.body) as { reply?: { body: unknown; text: string }; detail?: string };
      const reply = typeof body.reply?.body === "string" ? body.reply.body : body.reply?.text;
      return xml(reply ?? body.detail ?? menuText(actions));
    } catch (error) {
      // The customer sent something we could not act on: tell them why, in the SMS, not as an HTTP error.
      if (error instanceof ApiError && error.status < 500) return xml(`${error.message} ${menuText(actions)}`);
      throw error;
    }
  });
}
