/**
 * Finding customers, and who looked at one. `GET /v1/customers` searches by any
 * identity; every `GET /v1/customers/{id}` is written to the audit log
 * (`customer.view`: the key and the time, never the customer's data), so
 * staff access to personal data can be reviewed.
 */
import { z } from "@hono/zod-openapi";
import { OUTBOUND_CHANNELS } from "../../inbound/senders";
import { caseReplies, replyToCase } from "../../journeys/agent-reply";
import { CaseIdSchema } from "../../journeys/cases";
import { JourneyChannelSchema } from "../../journeys/channels";
import {
  CustomerIdSchema,
  CustomerProfilePatchSchema,
  CustomerSchema,
  customerView,
  searchCustomers,
  setCustomerProfile,
} from "../../journeys/customers";
import { IDEMPOTENCY_KEY_PATTERN } from "../../journeys/idempotency";
import type { Router } from "../../lib/create-router";
import { errorResponses } from "../../lib/errors";
import { defineRoute } from "../../lib/route";

const searchRoute = defineRoute({
  method: "get",
  path: "/v1/customers",
  tags: ["Customers"],
  operationId: "searchCustomers",
  summary: "Find customers",
  description:
    "Customers whose name or email contains `q` (case-insensitive; names also without accents), whose phone number matches however it is typed (`+47 912 34 567`, `0047-912 34567`, `912 34 567`: compared as digits with the E.164 identities of SMS and WhatsApp), whose identity on any channel contains `q` (a WhatsApp, Slack, Telegram or Messenger id, a web session or app device id; spaces are ignored), or whose id is `q`. Without `q`, the newest customers. At most `limit` results, no further pages: narrow the query instead.",
  scope: "customers:read",
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional().openapi({ example: "ingrid@example.com" }),
      limit: z.coerce.number().int().min(1).max(50).default(20).openapi({ description: "At most this many customers, 1–50.", example: 20 }),
    }),
  },
  responses: {
    200: {
      description: "The customers found, with their identities.",
      content: {
        "application/json": {
          schema: z.object({ data: z.array(CustomerSchema) }).openapi("CustomerSearch", {
            example: {
              data: [
                {
                  id: "cus_019a3c5e7b2d0000a1b2c3d4e5f60718",
                  firstChannel: "sms",
                  createdAt: "2026-11-24T12:00:00.000Z",
                  cartId: "cart_019a3c5e7b2d0000a1b2c3d4e5f60718",
                  name: "Ingrid Berg",
                  email: "ingrid@example.com",
                  identities: [{ channel: "sms", externalId: "+4791234567", createdAt: "2026-11-24T12:00:00.000Z", linkedAt: null }],
                },
              ],
            },
          }),
        },
      },
    },
  },
});

const ReplyChannelSchema = z.enum(OUTBOUND_CHANNELS).openapi("ReplyChannel", {
  description: "A channel agents' replies can be sent on.",
  example: "whatsapp",
});

const replyRoute = defineRoute({
  method: "post",
  path: "/v1/cases/{id}/reply",
  tags: ["Cases"],
  operationId: "replyToCase",
  summary: "Reply to a case on the customer's channel",
  description: `An agent's message to the customer of an open case, on the channel the case was opened on or on \`channel\` (one of the customer's identities). It goes through the same outbox as chat replies: queued with its timeline record in one write, sent by the outbound tick, retried on 429 and 5xx; \`GET /v1/cases/{id}/replies\` shows whether it was sent.

Each channel has its sender and its platform's rules: **SMS** through Twilio's Messages API (\`TWILIO_ACCOUNT_SID\`, \`TWILIO_AUTH_TOKEN\`; from the number the customer texted, else \`TWILIO_FROM\`; never to a number that opted out), **WhatsApp** through the Cloud API (\`WHATSAPP_ACCESS_TOKEN\`; within 24 hours of the customer's last message), **Telegram** with \`sendMessage\` (\`TELEGRAM_BOT_TOKEN\`), **Slack** with \`chat.postMessage\` to the app's DM with the user (\`SLACK_BOT_TOKEN\`), **Messenger** through the Send API (\`MESSENGER_PAGE_ACCESS_TOKEN\`; a response within 24 hours, the \`HUMAN_AGENT\` tag up to 7 days). Nothing is dropped silently: a channel without a configured sender is 422 \`sender_not_configured\`; a customer who cannot be reached there (no identity on it, web / mobile / agent channel, window closed, opted out) is 422 \`channel_unreachable\`, with the channels that would work. The same \`Idempotency-Key\` again returns the first reply with \`replayed: true\` and sends nothing twice. A write, so it needs \`actions:invoke\`.`,
  scope: "actions:invoke",
  request: {
    params: z.object({ id: CaseIdSchema }),
    headers: z.object({
      "idempotency-key": z.string().regex(IDEMPOTENCY_KEY_PATTERN).openapi({ example: "reply-7f3a" }),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({
              text: z.string().trim().min(1).max(4096).openapi({ example: "Your parcel left our warehouse today." }),
              channel: JourneyChannelSchema.optional().openapi({
                description: "Where to send it; by default the channel the case was opened on.",
                example: "sms",
              }),
            })
            .openapi("CaseReplyRequest"),
        },
      },
    },
  },
  responses: {
    200: {
      description: "Queued (or, for a repeated Idempotency-Key, the first reply).",
      content: {
        "application/json": {
          schema: z
            .object({
              id: z.string().openapi({ description: "The queued message.", example: "rpl_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
              case: CaseIdSchema,
              channel: ReplyChannelSchema,
              to: z.string().openapi({ description: "The customer's identity on that channel.", example: "4791234567" }),
              text: z.string(),
              queuedAt: z.string(),
              replayed: z.boolean(),
            })
            .openapi("CaseReply"),
        },
      },
    },
    ...errorResponses(404, 409, 422),
  },
});

const repliesRoute = defineRoute({
  method: "get",
  path: "/v1/cases/{id}/replies",
  tags: ["Cases"],
  operationId: "listCaseReplies",
  summary: "Agents' replies on a case, with delivery status",
  description:
    "Every message agents sent on this case, oldest first: the channel, who it went to, the text, and where it stands — `pending` (queued, or waiting for a retry after a 429 / 5xx), `sent` (the platform accepted it), or `failed` with the platform's reason (a refusal, a missing token, or five failed attempts).",
  scope: "customers:read",
  request: { params: z.object({ id: CaseIdSchema }) },
  responses: {
    200: {
      description: "The case's replies.",
      content: {
        "application/json": {
          schema: z
            .object({
              data: z.array(
                z
                  .object({
                    id: z.string(),
                    channel: ReplyChannelSchema,
                    to: z.string(),
                    text: z.string(),
                    status: z.enum(["pending", "sent", "failed"]),
                    attempts: z.number().int().openapi({ description: "Attempts made so far." }),
                    lastError: z.string().nullable().openapi({ description: "Why the last attempt failed (no secrets)." }),
                    queuedAt: z.string(),
                    sentAt: z.string().nullable(),
                  })
                  .openapi("CaseReplyStatus"),
              ),
            })
            .openapi("CaseReplies", {
              example: {
                data: [
                  {
                    id: "rpl_019a3c5e7b2d0000a1b2c3d4e5f60718",
                    channel: "sms",
                    to: "+4791234567",
                    text: "Your parcel left our warehouse today.",
                    status: "sent",
                    attempts: 1,
                    lastError: null,
                    queuedAt: "2026-12-01T10:00:00.000Z",
                    sentAt: "2026-12-01T10:00:01.000Z",
                  },
                ],
              },
            }),
        },
      },
    },
    ...errorResponses(404),
  },
});

const updateCustomerRoute = defineRoute({
  method: "patch",
  path: "/v1/customers/{id}",
  tags: ["Customers"],
  operationId: "updateCustomer",
  summary: "Set a customer's name and email",
  description:
    "JSON Merge Patch of the customer's optional profile: a field left out stays, `null` removes it. `email` is validated, trimmed and stored in lower case; `name` is trimmed (1–200 characters, no control characters). Both are then found by `GET /v1/customers?q=` (case-insensitive). The change is written to the audit log (`customer.update`: the key and the time, never the values). Needs `customers:write`.",
  scope: "customers:write",
  request: {
    params: z.object({ id: CustomerIdSchema }),
    body: {
      required: true,
      content: {
        "application/merge-patch+json": { schema: CustomerProfilePatchSchema },
        "application/json": { schema: CustomerProfilePatchSchema },
      },
    },
  },
  responses: {
    200: { description: "The customer, updated.", content: { "application/json": { schema: CustomerSchema } } },
    ...errorResponses(404),
  },
});

export function registerCustomerSearchRoutes(app: Router) {
  app.openapi(replyRoute, async (c) => {
    const body = c.req.valid("json");
    const reply = await replyToCase(c.get("db"), c.get("platforms"), c.get("config"), {
      caseId: c.req.valid("param").id,
      text: body.text,
      channel: body.channel,
      key: c.req.valid("header")["idempotency-key"],
      now: c.get("clock")(),
      keyId: c.get("principal")?.keyId ?? null,
    });
    c.header("cache-control", "no-store");
    return c.json(reply, 200);
  });
  app.openapi(repliesRoute, async (c) => {
    c.header("cache-control", "no-store");
    return c.json({ data: await caseReplies(c.get("db"), c.get("platforms"), c.req.valid("param").id) }, 200);
  });
  app.openapi(updateCustomerRoute, async (c) => {
    const db = c.get("db");
    const now = c.get("clock")();
    const id = c.req.valid("param").id;
    const customer = await setCustomerProfile(db, id, c.req.valid("json"), now, c.get("principal")?.keyId ?? null);
    c.header("cache-control", "no-store");
    return c.json(await customerView(db, customer, now), 200);
  });
  app.openapi(searchRoute, async (c) => {
    const q = c.req.valid("query");
    c.header("cache-control", "no-store");
    return c.json({ data: await searchCustomers(c.get("db"), q, c.get("clock")()) }, 200);
  });
}
