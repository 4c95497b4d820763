/** Outbound webhooks: `/v1/admin/webhooks` (scope `admin`). */
import { z } from "@hono/zod-openapi";
import { requireVersion } from "../../catalogue/entries";
import type { Router } from "../../lib/create-router";
import { errorResponses } from "../../lib/errors";
import { defineRoute } from "../../lib/route";
import { queueTestEvent } from "../../webhooks/dispatch";
import {
  createEndpoint,
  deleteEndpoint,
  endpointDto,
  getEndpointRow,
  listDeliveries,
  listEndpoints,
  updateEndpoint,
  WebhookDeliverySchema,
  WebhookEndpointCreate,
  WebhookEndpointPatch,
  WebhookEndpointSchema,
} from "../../webhooks/endpoints";
import { etagHeader, ifMatchHeader } from "./entries.routes";

const tag = "Webhooks";
const idParam = z.object({ id: z.string().max(64).openapi({ example: "wh_019ad3c2a1b20000f3a9c1d2e4b5a6c7" }) });

const listWebhooks = defineRoute({
  method: "get",
  path: "/v1/admin/webhooks",
  tags: [tag],
  operationId: "listWebhooks",
  summary: "List webhook endpoints",
  description: "Every endpoint with its subscribed events and whether Unison is sending to it. Secrets are never shown again.",
  scope: "admin",
  request: {},
  responses: {
    200: {
      description: "Endpoints.",
      content: { "application/json": { schema: z.object({ data: z.array(WebhookEndpointSchema) }).openapi("WebhookEndpointList") } },
    },
  },
});

const createWebhook = defineRoute({
  method: "post",
  path: "/v1/admin/webhooks",
  tags: [tag],
  operationId: "createWebhook",
  summary: "Add a webhook endpoint",
  description:
    "Unison POSTs each subscribed catalogue event (`product.published`, `product.unpublished`, `product.archived`, `product.availability_changed` — a stock move or an order changed what channels show —, and `published` / `unpublished` / `archived` for `message` and `action`) as `{ type, timestamp, data }`, signed per Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64 part of `secret`). Verify with any Standard Webhooks library. The URL must be https to a public address (plain http and private addresses only for hosts on `WEBHOOK_ALLOW_HOSTS`). The secret is returned once.",
  scope: "admin",
  request: { body: { required: true, content: { "application/json": { schema: WebhookEndpointCreate } } } },
  responses: {
    201: {
      description: "Created.",
      headers: etagHeader,
      content: {
        "application/json": {
          schema: z
            .object({ endpoint: WebhookEndpointSchema, secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) })
            .openapi("WebhookEndpointCreated"),
        },
      },
    },
    ...errorResponses(422),
  },
});

const getWebhook = defineRoute({
  method: "get",
  path: "/v1/admin/webhooks/{id}",
  tags: [tag],
  operationId: "getWebhook",
  summary: "Get a webhook endpoint",
  description: "The endpoint, with its version as a strong ETag (for `If-Match`).",
  scope: "admin",
  request: { params: idParam },
  responses: {
    200: { description: "The endpoint.", headers: etagHeader, content: { "application/json": { schema: WebhookEndpointSchema } } },
    ...errorResponses(404),
  },
});

const updateWebhook = defineRoute({
  method: "patch",
  path: "/v1/admin/webhooks/{id}",
  tags: [tag],
  operationId: "updateWebhook",
  summary: "Change a webhook endpoint",
  description:
    "Changes its URL, events or description, or turns it off and on (`enabled`; turning it on clears `disabledReason`). Needs `If-Match`.",
  scope: "admin",
  request: {
    params: idParam,
    headers: ifMatchHeader,
    body: {
      required: true,
      content: { "application/merge-patch+json": { schema: WebhookEndpointPatch }, "application/json": { schema: WebhookEndpointPatch } },
    },
  },
  responses: {
    200: { description: "Updated.", headers: etagHeader, content: { "application/json": { schema: WebhookEndpointSchema } } },
    ...errorResponses(404, 412, 422, 428),
  },
});

const deleteWebhook = defineRoute({
  method: "delete",
  path: "/v1/admin/webhooks/{id}",
  tags: [tag],
  operationId: "deleteWebhook",
  summary: "Delete a webhook endpoint",
  description: "Stops sending at once and deletes the endpoint with its delivery history. Needs `If-Match`.",
  scope: "admin",
  request: { params: idParam, headers: ifMatchHeader },
  responses: {
    200: { description: "Deleted; the endpoint as it was.", content: { "application/json": { schema: WebhookEndpointSchema } } },
    ...errorResponses(404, 412, 428),
  },
});

const listWebhookDeliveries = defineRoute({
  method: "get",
  path: "/v1/admin/webhooks/{id}/deliveries",
  tags: [tag],
  operationId: "listWebhookDeliveries",
  summary: "Recent deliveries to an endpoint",
  description:
    "Newest first: each message's `webhook-id`, status (`pending`, `delivered`, `failed` after the last retry, `abandoned` when the endpoint was turned off), attempts, the receiver's last status and the next attempt. Retries back off: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.",
  scope: "admin",
  request: { params: idParam, query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: {
    200: {
      description: "Deliveries.",
      content: { "application/json": { schema: z.object({ data: z.array(WebhookDeliverySchema) }).openapi("WebhookDeliveryList") } },
    },
    ...errorResponses(404),
  },
});

const testWebhook = defineRoute({
  method: "post",
  path: "/v1/admin/webhooks/{id}/test",
  tags: [tag],
  operationId: "testWebhook",
  summary: "Send a test event",
  description:
    "Queues one `webhook.test` message to the endpoint, signed like every other; it is sent on the next dispatch tick (about a second on Node).",
  scope: "admin",
  request: { params: idParam },
  responses: {
    202: {
      description: "Queued.",
      content: {
        "application/json": {
          schema: z
            .object({ deliveryId: z.string().openapi({ example: "msg_019ad3c2a1b20000f3a9c1d2e4b5a6c7" }) })
            .openapi("WebhookTestQueued"),
        },
      },
    },
    ...errorResponses(404),
  },
});

export function registerWebhookRoutes(app: Router) {
  app.openapi(listWebhooks, async (c) => {
    c.header("cache-control", "no-store");
    return c.json({ data: await listEndpoints(c.get("db")) }, 200);
  });

  app.openapi(createWebhook, async (c) => {
    const created = await createEndpoint(c.get("db"), c.req.valid("json"), c.get("clock")(), c.get("config").WEBHOOK_ALLOW_HOSTS);
    c.header("cache-control", "no-store");
    c.header("etag", `"v${created.endpoint.version}"`);
    return c.json(created, 201);
  });

  app.openapi(getWebhook, async (c) => {
    const row = await getEndpointRow(c.get("db"), c.req.valid("param").id);
    c.header("cache-control", "no-store");
    c.header("etag", `"v${row.version}"`);
    return c.json(endpointDto(row), 200);
  });

  app.openapi(updateWebhook, async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const version = requireVersion(c.req.header("if-match"), await getEndpointRow(db, id));
    const endpoint = await updateEndpoint(db, id, version, c.req.valid("json"), c.get("clock")(), c.get("config").WEBHOOK_ALLOW_HOSTS);
    c.header("etag", `"v${endpoint.version}"`);
    return c.json(endpoint, 200);
  });

  app.openapi(deleteWebhook, async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    const version = requireVersion(c.req.header("if-match"), await getEndpointRow(db, id));
    return c.json(await deleteEndpoint(db, id, version), 200);
  });

  app.openapi(listWebhookDeliveries, async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    await getEndpointRow(db, id);
    c.header("cache-control", "no-store");
    return c.json({ data: await listDeliveries(db, id, c.req.valid("query").limit) }, 200);
  });

  app.openapi(testWebhook, async (c) => {
    const db = c.get("db");
    const { id } = c.req.valid("param");
    await getEndpointRow(db, id);
    return c.json({ deliveryId: await queueTestEvent(db, id, c.get("clock")()) }, 202);
  });
}
