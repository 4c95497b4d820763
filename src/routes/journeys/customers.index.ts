/**
 * Finding customers, and who looked at one. `GET /v1/customers` searches by any
 * identity; every `GET /v1/customers/{id}` is written to the audit log
 * (`customer.view`: the key and the time, never the customer's data), so
 * staff access to personal data can be reviewed.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { replyToCase } from "../../journeys/agent-reply";
import { CaseIdSchema } from "../../journeys/cases";
import { CustomerSchema, searchCustomers } from "../../journeys/customers";
import { IDEMPOTENCY_KEY_PATTERN } from "../../journeys/idempotency";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { errorResponses } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { defineRoute } from "../../lib/route";

const searchRoute = defineRoute({
  method: "get",
  path: "/v1/customers",
  tags: ["Customers"],
  operationId: "searchCustomers",
  summary: "Find customers",
  description:
    "Customers whose identity on any channel contains `q` (a phone number, a WhatsApp, Slack, Telegram or Messenger id, a web session or app device id; spaces are ignored), or whose id is `q`. Without `q`, the newest customers. At most `limit` results, no further pages: narrow the query instead. Customers carry no name or email: identities are how they are found.",
  scope: "customers:read",
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional().openapi({ example: "+4791" }),
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

const replyRoute = defineRoute({
  method: "post",
  path: "/v1/cases/{id}/reply",
  tags: ["Cases"],
  operationId: "replyToCase",
  summary: "Reply to a case on the customer's channel",
  description:
    "An agent's message to the customer of an open case, sent on WhatsApp through the same outbox as chat replies (queued with its timeline record in one write, sent by the outbound tick, retried on 429 and 5xx). WhatsApp accepts free-form messages within 24 hours of the customer's last message; outside it, or for a customer without WhatsApp, it is 422 with the reason (SMS and Telegram answer only inside their webhook, and Slack's response_url expires after 30 minutes). The same `Idempotency-Key` again returns the first reply with `replayed: true` and sends nothing twice. A write, so it needs `actions:invoke`.",
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
            .strictObject({ text: z.string().trim().min(1).max(4096).openapi({ example: "Your parcel left our warehouse today." }) })
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
              case: CaseIdSchema,
              channel: z.literal("whatsapp"),
              to: z.string().openapi({ example: "4791234567" }),
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

/** The audit-log row of one look at a customer: who (key id) and when; the customer's id is the only thing about them. */
export async function auditCustomerView(c: Context<AppEnv>, db: Database, customerId: string): Promise<void> {
  await db.atomic((orm) => [
    orm.insert(auditLog).values({
      id: newId("aud"),
      at: c.get("clock")().toISOString(),
      keyId: c.get("principal")?.keyId ?? null,
      action: "customer.view",
      entityType: "customer",
      entityKey: customerId,
    }),
  ]);
}

export function registerCustomerSearchRoutes(app: Router) {
  app.openapi(replyRoute, async (c) => {
    const reply = await replyToCase(c.get("db"), {
      caseId: c.req.valid("param").id,
      text: c.req.valid("json").text,
      key: c.req.valid("header")["idempotency-key"],
      now: c.get("clock")(),
      keyId: c.get("principal")?.keyId ?? null,
    });
    c.header("cache-control", "no-store");
    return c.json(reply, 200);
  });
  app.openapi(searchRoute, async (c) => {
    const q = c.req.valid("query");
    c.header("cache-control", "no-store");
    return c.json({ data: await searchCustomers(c.get("db"), q, c.get("clock")()) }, 200);
  });
}
