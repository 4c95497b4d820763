/**
 * Journeys: actions invoked for customers on any channel, and the continuity
 * around them — customers, timelines, carts, orders, handoffs, agent cases.
 *
 * Scopes: `actions:invoke` for every write (invoking an action, redeeming a
 * handoff, closing a case); `customers:read` for reads of customer data.
 * Closing a case changes it and writes the customer's timeline, so a read
 * scope must not allow it — the agents' desk holds both scopes.
 */
import { z } from "@hono/zod-openapi";
import { LocaleCode } from "../../catalogue/documents";
import { ACTION_HANDLERS, ACTION_KEYS, type ActionKey, actionSchemaName } from "../../journeys/actions";
import { CartSchema } from "../../journeys/carts";
import { CaseIdSchema, CaseSchema, CaseSummarySchema } from "../../journeys/cases";
import { IdentitySchema, JourneyChannelSchema } from "../../journeys/channels";
import { CustomerIdSchema, CustomerSchema } from "../../journeys/customers";
import { HandoffCode, RedeemResultSchema } from "../../journeys/handoffs";
import { IDEMPOTENCY_KEY_PATTERN } from "../../journeys/idempotency";
import { InteractionSchema } from "../../journeys/interactions";
import { ActionRequestSchema, ReplySchema } from "../../journeys/invoke";
import { OrderSchema } from "../../journeys/orders";
import { errorResponses } from "../../lib/errors";
import { pageOf, pageQuery } from "../../lib/pagination";
import { defineRoute } from "../../lib/route";

const pageParams = pageQuery(50);
const localeQuery = LocaleCode.optional().openapi({
  description: "The locale prices are formatted in. Without it, `Accept-Language` is negotiated.",
});
const page = <T extends z.ZodTypeAny>(item: T, name: string) => pageOf(item, name);

const customerParams = z.object({ id: CustomerIdSchema });

const actionTable = ACTION_KEYS.map((k) => {
  const h = ACTION_HANDLERS[k];
  return `| \`${k}\` | \`${actionSchemaName(k, "Input")}\` → \`${actionSchemaName(k, "Result")}\` | ${h.sideEffects ? "required" : "optional"} | ${h.description} |`;
}).join("\n");

/** Each action's result schema, named (`AddToCartResult`…) so the spec refers to one component per action. */
const ACTION_RESULTS = Object.fromEntries(
  ACTION_KEYS.map((k) => [k, ACTION_HANDLERS[k].result.openapi(actionSchemaName(k, "Result"))]),
) as Record<ActionKey, z.ZodType>;

/** The response of one action: `action` tags it, `result` is that action's result (`AddToCartResponse`…). */
const actionResponseOf = (k: ActionKey) =>
  z
    .object({ action: z.literal(k), customer: CustomerIdSchema, result: ACTION_RESULTS[k], reply: ReplySchema })
    .openapi(actionSchemaName(k, "Result").replace(/Result$/, "Response"));

export const ActionResponseSchema = z
  .discriminatedUnion(
    "action",
    ACTION_KEYS.map(actionResponseOf) as unknown as [ReturnType<typeof actionResponseOf>, ...ReturnType<typeof actionResponseOf>[]],
  )
  .openapi("ActionResponse", { description: "What an action returned, tagged by `action`: `result` is that action's `<Action>Result`." });

export const invokeActionRoute = defineRoute({
  method: "post",
  path: "/v1/actions/{key}",
  tags: ["Actions"],
  operationId: "invokeAction",
  summary: "Invoke an action for a customer",
  description: `Runs one action of the catalogue for a customer, from any channel, and returns its result and the reply for the calling channel. The same action behaves the same everywhere.

The customer is named by \`customer\` (an id), by \`identity\` (a channel handle; seen for the first time it creates the customer), or both — then the identity must be theirs (403 otherwise). \`input\` is validated by the action's own schema; unknown fields are refused (a price cannot be sent).

**Idempotency.** Side-effecting actions need an \`Idempotency-Key\` header (400 \`idempotency_key_required\` without it). Within 24 hours, the same key with the same request returns the first response exactly (status and body, with \`Idempotent-Replayed: true\`) and the effect happens once; with a different request it is 422 \`idempotency_key_reused\`; while the first is still running, 409 \`idempotency_in_flight\`. Keys are scoped to your API key. Refusals (out of stock, empty cart…) are outcomes too and are replayed; a request that was invalid is not stored.

Every call is recorded on the customer's timeline (the action with its input and outcome, then the reply).

| key | schemas | Idempotency-Key | what it does |
|---|---|---|---|
${actionTable}`,
  scope: "actions:invoke",
  request: {
    params: z.object({
      key: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "key", in: "path" }, enum: [...ACTION_KEYS], example: "add_to_cart" }),
    }),
    headers: z.object({
      "idempotency-key": z.string().regex(IDEMPOTENCY_KEY_PATTERN, "1–255 visible ASCII characters.").optional().openapi({
        description: "A unique key per intended change (a UUID). Required for side-effecting actions.",
        example: "5f0c8d7e-4b2a-4f0e-9a1c-3b5d7e9f1a2b",
      }),
    }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: ActionRequestSchema,
          example: {
            channel: "whatsapp",
            identity: { channel: "whatsapp", externalId: "33612345678" },
            input: { sku: "MER-CREW-NAVY-M", quantity: 1 },
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: "The action ran (or, with `Idempotent-Replayed: true`, this is the stored first response).",
      headers: {
        "Idempotent-Replayed": { description: "`true` when this is a replay of a stored response.", schema: { type: "string" as const } },
      },
      content: { "application/json": { schema: ActionResponseSchema } },
    },
    ...errorResponses(404, 409, 413, 422),
  },
});

/** Every action's own input and result schema, as named components (the envelope's `oneOf`s point at them). */
export function actionSchemas(): [string, z.ZodType][] {
  return ACTION_KEYS.flatMap((k) => [
    [actionSchemaName(k, "Input"), ACTION_HANDLERS[k].input] as [string, z.ZodType],
    [actionSchemaName(k, "Result"), ACTION_RESULTS[k]] as [string, z.ZodType],
  ]);
}

export const getCustomerRoute = defineRoute({
  method: "get",
  path: "/v1/customers/{id}",
  tags: ["Customers"],
  operationId: "getCustomer",
  summary: "Get a customer",
  description:
    "The customer, their identities on every channel, and their cart's id. Each call is written to the audit log (`customer.view`: the key's id and the time).",
  scope: "customers:read",
  request: { params: customerParams },
  responses: {
    200: { description: "The customer.", content: { "application/json": { schema: CustomerSchema } } },
    ...errorResponses(404),
  },
});

export const getTimelineRoute = defineRoute({
  method: "get",
  path: "/v1/customers/{id}/timeline",
  tags: ["Customers"],
  operationId: "getCustomerTimeline",
  summary: "Get a customer's timeline",
  description:
    "Every action, inbound and outbound message of the customer, on every channel, in the order they happened (oldest first; `order=desc` for newest first). Cursor pages stay stable while new interactions arrive.",
  scope: "customers:read",
  request: {
    params: customerParams,
    query: z.object({
      ...pageParams,
      order: z.enum(["asc", "desc"]).default("asc"),
      channel: JourneyChannelSchema.optional().openapi({ description: "Only this channel's interactions." }),
    }),
  },
  responses: {
    200: { description: "A page of the timeline.", content: { "application/json": { schema: page(InteractionSchema, "TimelinePage") } } },
    ...errorResponses(404),
  },
});

export const getCartRoute = defineRoute({
  method: "get",
  path: "/v1/customers/{id}/cart",
  tags: ["Customers"],
  operationId: "getCustomerCart",
  summary: "Get a customer's cart",
  description: "The one cart the customer has on every channel, with captured and live prices (`priceChanged` flags the differences).",
  scope: "customers:read",
  request: { params: customerParams, query: z.object({ locale: localeQuery }) },
  responses: {
    200: { description: "The cart.", content: { "application/json": { schema: CartSchema } } },
    ...errorResponses(404),
  },
});

export const listOrdersRoute = defineRoute({
  method: "get",
  path: "/v1/customers/{id}/orders",
  tags: ["Customers"],
  operationId: "listCustomerOrders",
  summary: "List a customer's orders",
  description: "The customer's orders from every channel, newest first.",
  scope: "customers:read",
  request: { params: customerParams, query: z.object({ ...pageParams, locale: localeQuery }) },
  responses: {
    200: { description: "A page of orders.", content: { "application/json": { schema: page(OrderSchema, "OrderPage") } } },
    ...errorResponses(404),
  },
});

export const redeemHandoffRoute = defineRoute({
  method: "post",
  path: "/v1/handoffs/{code}/redeem",
  tags: ["Customers"],
  operationId: "redeemHandoff",
  summary: "Redeem a handoff code",
  description:
    "Continues a journey on another channel: links `identity` to the customer who asked for the handoff and returns their cart. A code works once (then 409 `handoff_used`) and for 30 minutes (then 410 `handoff_expired`). An identity whose customer has a history of its own (orders, a cart with items, a name or email, another channel) is never moved to another customer: 409 `conflict`, nothing changes and the code stays unused. The web channel calls this when someone confirms the page `/h/<code>` shows (a POST from the shop's own pages).",
  scope: "actions:invoke",
  request: {
    params: z.object({ code: HandoffCode }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({ identity: IdentitySchema, locale: LocaleCode.optional() })
            .openapi("HandoffRedeemRequest", { example: { identity: { channel: "web", externalId: "sess_6f1c0b9a" } } }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "Redeemed: the identity now belongs to the customer.",
      content: { "application/json": { schema: RedeemResultSchema } },
    },
    ...errorResponses(404, 409, 410, 422),
  },
});

export const listCasesRoute = defineRoute({
  method: "get",
  path: "/v1/cases",
  tags: ["Cases"],
  operationId: "listCases",
  summary: "List agent cases",
  description: "Cases opened by customers asking for an agent, newest first.",
  scope: "customers:read",
  request: {
    query: z.object({
      ...pageParams,
      status: z.enum(["open", "closed"]).optional(),
      customer: CustomerIdSchema.optional(),
    }),
  },
  responses: {
    200: { description: "A page of cases.", content: { "application/json": { schema: page(CaseSummarySchema, "CasePage") } } },
  },
});

export const getCaseRoute = defineRoute({
  method: "get",
  path: "/v1/cases/{id}",
  tags: ["Cases"],
  operationId: "getCase",
  summary: "Get an agent case",
  description: "The case with its snapshot: the customer's cross-channel timeline and cart when they asked for an agent.",
  scope: "customers:read",
  request: { params: z.object({ id: CaseIdSchema }) },
  responses: {
    200: { description: "The case.", content: { "application/json": { schema: CaseSchema } } },
    ...errorResponses(404),
  },
});

export const closeCaseRoute = defineRoute({
  method: "post",
  path: "/v1/cases/{id}/close",
  tags: ["Cases"],
  operationId: "closeCase",
  summary: "Close an agent case",
  description:
    "Closes the case (closing a closed case returns it unchanged) and notes it on the customer's timeline. A write, so it needs `actions:invoke`, not a read scope.",
  scope: "actions:invoke",
  request: {
    params: z.object({ id: CaseIdSchema }),
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z
            .strictObject({ resolution: z.string().trim().min(1).max(1000).optional().openapi({ example: "Parcel re-sent." }) })
            .openapi("CaseCloseRequest"),
        },
      },
    },
  },
  responses: {
    200: { description: "The closed case.", content: { "application/json": { schema: CaseSchema } } },
    ...errorResponses(404),
  },
});
