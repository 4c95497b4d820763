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
import { CustomerSchema, searchCustomers } from "../../journeys/customers";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
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
  app.openapi(searchRoute, async (c) => {
    const q = c.req.valid("query");
    c.header("cache-control", "no-store");
    return c.json({ data: await searchCustomers(c.get("db"), q, c.get("clock")()) }, 200);
  });
}
