/**
 * The ACP checkout routes (Agentic Commerce Protocol 2026-04-17, merchant side):
 * `POST /checkout_sessions`, `GET|POST /checkout_sessions/{id}`,
 * `POST /checkout_sessions/{id}/complete`, `POST /checkout_sessions/{id}/cancel`.
 *
 * - `API-Version: 2026-04-17` on every request (400 `missing_api_version` /
 *   `unsupported_api_version` with `supported_versions`).
 * - `Authorization: Bearer` with an API key holding `actions:invoke` — the
 *   scope of acting for a customer on any channel.
 * - `Idempotency-Key` on every POST, scoped to the API key and the path: a
 *   replay with the same body returns the stored response and status
 *   (`Idempotent-Replayed: true`); the same key with another body is 422
 *   `idempotency_conflict`; one still running is 409 `idempotency_in_flight`.
 *   5xx answers are never stored. The stored response commits in the same
 *   atomic unit as the change it reports.
 * - Errors in ACP's flat shape (src/acp/errors.ts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { listDeliveryOptions } from "../catalogue/delivery";
import { fallbackChain, loadLocales, negotiateLocale } from "../catalogue/locales";
import type { ViewContext } from "../catalogue/products";
import { isGuardFailure, isUniqueViolation, type Orm, type Statement } from "../db/client";
import { acpCheckoutSessions } from "../db/schema";
import { cartView, loadCart } from "../journeys/carts";
import { resolveCustomer } from "../journeys/customers";
import { redeemHandoff } from "../journeys/handoffs";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  holdsClaim,
  IDEMPOTENCY_KEY_PATTERN,
  releaseIdempotencyKey,
  requestHash,
} from "../journeys/idempotency";
import { planCheckout } from "../journeys/orders";
import type { AppEnv } from "../lib/context";
import type { Router } from "../lib/create-router";
import { ApiError, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { requireScope, SECURITY_SCHEME } from "../lib/route";
import {
  type AcpCheckoutSession,
  actionContext,
  findSession,
  fulfillmentOptions,
  loadContent,
  planCartItems,
  type SessionEnv,
  type SessionRow,
  sessionCas,
  sessionJson,
  sessionTimeline,
  shippingAddressOf,
} from "./checkout";
import { ACP_API_VERSION, ACP_SUPPORTED_VERSIONS, AcpError, AcpErrorSchema } from "./errors";
import { paymentProviders, TEST_HANDLER_ID, TEST_TOKENS } from "./payments";

const SCOPE = "actions:invoke";
const MAX_ATTEMPTS = 8;

// ---------------------------------------------------------------------------
// Schemas (ACP's, for what this server reads and writes; unknown ACP request fields are accepted and ignored).

const Total = z
  .object({
    type: z.enum(["items_base_amount", "subtotal", "fulfillment", "tax", "total"]),
    display_text: z.string(),
    amount: z.number().int().openapi({ description: "Minor units.", example: 8900 }),
  })
  .openapi("AcpTotal");

const Address = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: "Kari Nordmann" }),
    line_one: z.string().trim().min(1).max(200).openapi({ example: "Storgata 1" }),
    line_two: z.string().max(200).optional(),
    city: z.string().trim().min(1).max(100).openapi({ example: "Oslo" }),
    state: z.string().max(100).openapi({ example: "Oslo" }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, "An ISO 3166-1 alpha-2 code, e.g. NO.")
      .openapi({ example: "NO" }),
    postal_code: z.string().trim().min(1).max(20).openapi({ example: "0150" }),
    company: z.string().max(200).optional(),
  })
  .openapi("AcpAddress");

const FulfillmentDetails = z
  .object({
    name: z.string().max(200).optional(),
    phone_number: z.string().max(40).optional(),
    email: z.string().email().max(320).optional(),
    address: Address.optional(),
  })
  .openapi("AcpFulfillmentDetails");

const Buyer = z
  .object({
    first_name: z.string().max(100).optional(),
    last_name: z.string().max(100).optional(),
    full_name: z.string().max(200).optional(),
    email: z.string().email().max(320).openapi({ example: "kari@example.com" }),
    phone_number: z.string().max(40).optional(),
  })
  .openapi("AcpBuyer");

const ItemRequest = z
  .object({
    id: z.string().min(1).max(64).openapi({ description: "The SKU (the feed's `item_id`).", example: "ENA-MUG-WHITE" }),
    quantity: z.number().int().min(1).max(99).optional().openapi({
      description:
        "How many (default 1). ACP 2026-04-17's Item has no quantity field: a repeated id adds one more; this field is accepted too. `name` and `unit_amount` are ignored: prices come from the catalogue.",
      example: 2,
    }),
    name: z.string().optional(),
    unit_amount: z.number().int().optional(),
  })
  .openapi("AcpItemRequest");

const CreateRequest = z
  .object({
    line_items: z.array(ItemRequest).min(1).max(50),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "An ISO 4217 code, e.g. eur.")
      .openapi({ example: "eur" }),
    buyer: Buyer.optional(),
    fulfillment_details: FulfillmentDetails.optional(),
    locale: z.string().max(35).optional().openapi({ description: "BCP 47; default: Accept-Language.", example: "en" }),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    metadata: z
      .object({
        handoff_code: z.string().min(4).max(32).optional().openapi({
          description:
            "A handoff code the customer got on another channel: the session joins that customer (their cart, orders, timeline).",
          example: "K7QM3XZT",
        }),
      })
      .catchall(z.unknown())
      .optional(),
  })
  .openapi("AcpCheckoutSessionCreateRequest", {
    example: {
      line_items: [{ id: "ENA-MUG-WHITE", quantity: 2 }],
      currency: "eur",
      fulfillment_details: {
        name: "Kari Nordmann",
        address: { name: "Kari Nordmann", line_one: "Storgata 1", city: "Oslo", state: "Oslo", country: "NO", postal_code: "0150" },
      },
    },
  });

const SelectedOption = z.object({
  type: z.literal("shipping"),
  option_id: z.string().min(1).max(100),
  item_ids: z.array(z.string()).max(50),
});

const UpdateRequest = z
  .object({
    line_items: z.array(ItemRequest).max(50).optional().openapi({ description: "The whole list: lines not named leave the cart." }),
    buyer: Buyer.nullable().optional(),
    fulfillment_details: FulfillmentDetails.nullable().optional().openapi({ description: "`null` clears them." }),
    selected_fulfillment_options: z.array(SelectedOption).max(1).optional(),
  })
  .openapi("AcpCheckoutSessionUpdateRequest", {
    example: {
      fulfillment_details: {
        address: { name: "Kari Nordmann", line_one: "Storgata 1", city: "Oslo", state: "Oslo", country: "NO", postal_code: "0150" },
      },
    },
  });

const CompleteRequest = z
  .object({
    payment_data: z.object({
      handler_id: z.string().openapi({ example: TEST_HANDLER_ID }),
      instrument: z.object({
        type: z.string().openapi({ example: "card" }),
        credential: z.object({
          type: z.string().openapi({ example: "test_token" }),
          token: z.string().min(1).max(500).openapi({ example: TEST_TOKENS.success }),
        }),
      }),
      billing_address: Address.optional(),
    }),
    buyer: Buyer.optional(),
  })
  .openapi("AcpCheckoutSessionCompleteRequest", {
    example: {
      payment_data: {
        handler_id: TEST_HANDLER_ID,
        instrument: { type: "card", credential: { type: "test_token", token: TEST_TOKENS.success } },
      },
    },
  });

const CancelRequest = z.object({ intent_trace: z.unknown().optional() }).openapi("AcpCheckoutSessionCancelRequest", { example: {} });

const Message = z
  .object({
    type: z.enum(["info", "error"]),
    code: z.string().optional().openapi({ example: "missing" }),
    severity: z.string().optional(),
    resolution: z.string().optional(),
    param: z.string().optional().openapi({ example: "$.fulfillment_details.address" }),
    content_type: z.literal("plain"),
    content: z.string(),
  })
  .openapi("AcpMessage");

const OrderSchema = z
  .object({
    type: z.literal("order"),
    id: z.string().openapi({ example: "UN-K7QM3XZT" }),
    checkout_session_id: z.string(),
    order_number: z.string(),
    permalink_url: z.string().openapi({ example: "https://shop.example/orders/UN-K7QM3XZT" }),
    status: z.string().openapi({ example: "confirmed" }),
    line_items: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        product_id: z.string(),
        url: z.string(),
        quantity: z.object({ ordered: z.number().int(), current: z.number().int() }),
        unit_price: z.number().int(),
        subtotal: z.number().int(),
      }),
    ),
    totals: z.array(Total),
  })
  .openapi("AcpOrder");

const SessionSchema = z
  .object({
    id: z.string().openapi({ example: "cs_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    protocol: z.object({ version: z.string().openapi({ example: ACP_API_VERSION }) }),
    capabilities: z.object({
      payment: z.object({
        handlers: z.array(z.record(z.string(), z.unknown())).openapi({
          description: `The payment handlers this server accepts: the test provider (\`${TEST_HANDLER_ID}\`) under \`PAYMENTS_MODE=test\`, else none.`,
        }),
      }),
    }),
    buyer: z.record(z.string(), z.unknown()).optional(),
    status: z.enum(["not_ready_for_payment", "ready_for_payment", "completed", "canceled"]),
    currency: z.string().openapi({ example: "eur" }),
    locale: z.string().openapi({ example: "en" }),
    line_items: z.array(
      z.object({
        id: z.string(),
        item: z.object({ id: z.string() }),
        quantity: z.number().int(),
        name: z.string(),
        unit_amount: z.number().int(),
        product_id: z.string(),
        sku: z.string(),
        availability_status: z.enum(["in_stock", "low_stock", "out_of_stock", "pre_order"]).optional(),
        totals: z.array(Total),
      }),
    ),
    fulfillment_details: FulfillmentDetails.optional(),
    fulfillment_options: z.array(
      z.object({
        type: z.literal("shipping"),
        id: z.string(),
        title: z.string(),
        description: z.string().optional(),
        carrier: z.string().optional(),
        earliest_delivery_time: z.string().optional(),
        latest_delivery_time: z.string().optional(),
        totals: z.array(Total),
      }),
    ),
    selected_fulfillment_options: z.array(SelectedOption),
    totals: z.array(Total),
    messages: z.array(Message),
    links: z.array(z.object({ type: z.literal("return_policy"), url: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
    order: OrderSchema.optional(),
  })
  .openapi("AcpCheckoutSession", {
    example: {
      id: "cs_019a3c5e7b2d0000a1b2c3d4e5f60718",
      protocol: { version: ACP_API_VERSION },
      capabilities: { payment: { handlers: [] } },
      status: "ready_for_payment",
      currency: "eur",
      locale: "en",
      line_items: [
        {
          id: "li_ENA-MUG-WHITE",
          item: { id: "ENA-MUG-WHITE" },
          quantity: 2,
          name: "Enamel mug (White)",
          unit_amount: 1800,
          product_id: "enamel-mug",
          sku: "ENA-MUG-WHITE",
          availability_status: "in_stock",
          totals: [{ type: "total", display_text: "Total", amount: 3600 }],
        },
      ],
      fulfillment_options: [],
      selected_fulfillment_options: [],
      totals: [
        { type: "subtotal", display_text: "Subtotal", amount: 3600 },
        { type: "total", display_text: "Total", amount: 3600 },
      ],
      messages: [],
      links: [{ type: "return_policy", url: "https://shop.example/messages/returns_policy" }],
      created_at: "2026-12-06T08:00:00.000Z",
      updated_at: "2026-12-06T08:00:00.000Z",
    },
  });

// ---------------------------------------------------------------------------
// Routes.

const SessionId = z
  .string()
  .max(64)
  .openapi({ param: { name: "checkout_session_id", in: "path" }, example: "cs_019a3c5e7b2d0000a1b2c3d4e5f60718" });

const commonHeaders = {
  "api-version": z
    .string()
    .openapi({ description: `The ACP version: \`${ACP_API_VERSION}\` (the only one served).`, example: ACP_API_VERSION }),
  "request-id": z.string().max(200).optional().openapi({ description: "Echoed back as `Request-Id`." }),
};
const postHeaders = z.object({
  ...commonHeaders,
  "idempotency-key": z.string().openapi({
    description: "Required on every POST: 1–255 visible ASCII characters (a UUID v4 is a good choice). Scoped to the API key and the path.",
    example: "550e8400-e29b-41d4-a716-446655440000",
  }),
  "unison-agent-identity": z.string().max(200).optional().openapi({
    description:
      'The agent\'s handle for the customer (an `agent` identity, the same one MCP clients send as `_meta["unison/identity"]`); default: one customer per API key. Read on create.',
    example: "agent-session-42",
  }),
});

const replayHeaders = {
  "Idempotency-Key": { description: "The request's key, echoed.", schema: { type: "string" as const } },
  "Idempotent-Replayed": {
    description: "`true` when this is the stored response of an earlier request with the same key and body.",
    schema: { type: "string" as const, enum: ["true"] },
  },
};

const acpError = (description: string) => ({ description, content: { "application/json": { schema: AcpErrorSchema } } });
const errors = {
  400: acpError(
    "Bad request: a missing or unsupported `API-Version` (with `supported_versions`), a missing `Idempotency-Key` (`idempotency_key_required`), an invalid field (`invalid`, `param` is its JSONPath), an unknown item, a session not ready for payment.",
  ),
  401: acpError("No API key, or an unknown one."),
  403: acpError("The key lacks the `actions:invoke` scope."),
  404: acpError("No such checkout session (for this API key)."),
  409: acpError("`idempotency_in_flight`: the same key is still being processed (retry after `Retry-After`); or the cart kept changing."),
  413: acpError("The body is too large."),
  415: acpError("The body is not JSON."),
  422: acpError("`idempotency_conflict`: the key was used with a different body."),
  429: acpError("Too many requests."),
  500: acpError("Something went wrong on our side."),
};

const sessionResponse = (description: string, headers = true) => ({
  description,
  ...(headers ? { headers: replayHeaders } : {}),
  content: { "application/json": { schema: SessionSchema } },
});

/** `API-Version` on every ACP request. */
const apiVersion: MiddlewareHandler<AppEnv> = async (c, next) => {
  const version = c.req.header("api-version");
  if (!version) throw new AcpError(400, "missing_api_version", `Send API-Version: ${ACP_API_VERSION}.`, { supportedVersions: true });
  if (!(ACP_SUPPORTED_VERSIONS as readonly string[]).includes(version.trim())) {
    throw new AcpError(400, "unsupported_api_version", `API-Version ${version} is not supported; use ${ACP_API_VERSION}.`, {
      supportedVersions: true,
    });
  }
  await next();
  const requestId = c.req.header("request-id");
  if (requestId && requestId.length <= 200) c.res.headers.set("request-id", requestId);
};

const base = {
  tags: ["Agents"],
  security: [{ [SECURITY_SCHEME]: [SCOPE] }],
  // The key first (401/403 before anything else, as on every route), then the protocol version.
  middleware: [requireScope(SCOPE), apiVersion],
};
const scopeNote = `\n\nNeeds an API key with the \`${SCOPE}\` scope (or \`admin\`). Errors use ACP's flat shape (\`type\`, \`code\`, \`message\`, \`param\`), not problem+json.`;

export const createCheckoutSession = createRoute({
  ...base,
  method: "post",
  path: "/checkout_sessions",
  operationId: "createCheckoutSession",
  summary: "ACP: create a checkout session",
  description: `Opens an Agentic Commerce Protocol checkout session on the customer's one cart — the same cart SMS, chat, the web and MCP see. The customer is the \`agent\` identity named by \`Unison-Agent-Identity\` (default: one per API key); \`metadata.handoff_code\` joins the customer who asked for that code on another channel. \`line_items\` name SKUs (the feed's \`item_id\`): each gets that quantity in the cart; lines already in the cart stay and are shown. Prices always come from the catalogue (in minor units). \`status\` is \`ready_for_payment\` once the cart has items in stock and a shipping address is known; \`messages\` say what is missing.${scopeNote}`,
  request: {
    headers: postHeaders,
    body: { required: true, content: { "application/json": { schema: CreateRequest } } },
  },
  responses: { 201: sessionResponse("The session (authoritative cart state)."), ...errors },
});

export const getCheckoutSession = createRoute({
  ...base,
  method: "get",
  path: "/checkout_sessions/{checkout_session_id}",
  operationId: "getCheckoutSession",
  summary: "ACP: retrieve a checkout session",
  description: `The session's latest authoritative state: the cart's current lines (a change made on another channel shows here), or the order once completed.${scopeNote}`,
  request: { params: z.object({ checkout_session_id: SessionId }), headers: z.object(commonHeaders) },
  responses: { 200: sessionResponse("The session.", false), ...errors },
});

export const updateCheckoutSession = createRoute({
  ...base,
  method: "post",
  path: "/checkout_sessions/{checkout_session_id}",
  operationId: "updateCheckoutSession",
  summary: "ACP: update a checkout session",
  description: `Changes the items (\`line_items\` is the whole list: lines not named leave the cart), the buyer, the fulfillment details (\`null\` clears them) or the selected fulfillment option. Answers the full session.${scopeNote}`,
  request: {
    params: z.object({ checkout_session_id: SessionId }),
    headers: postHeaders,
    body: { required: true, content: { "application/json": { schema: UpdateRequest } } },
  },
  responses: { 200: sessionResponse("The updated session."), ...errors },
});

export const completeCheckoutSession = createRoute({
  ...base,
  method: "post",
  path: "/checkout_sessions/{checkout_session_id}/complete",
  operationId: "completeCheckoutSession",
  summary: "ACP: complete a checkout session (place the order)",
  description: `Pays and places the order through the same checkout every channel uses (stock taken atomically, the cart emptied, the order on the customer's timeline with channel \`agent\`); the answer has \`status: completed\` and \`order\`. Payment: the only provider shipped is a TEST provider (handler \`${TEST_HANDLER_ID}\`; token \`${TEST_TOKENS.success}\` succeeds, \`${TEST_TOKENS.declined}\` is declined), accepted only when the server runs with \`PAYMENTS_MODE=test\`; otherwise completion is refused with 503 \`payments_disabled\`. No money moves. A declined payment answers the session unchanged with a \`payment_declined\` error message.${scopeNote}`,
  request: {
    params: z.object({ checkout_session_id: SessionId }),
    headers: postHeaders,
    body: { required: true, content: { "application/json": { schema: CompleteRequest } } },
  },
  responses: {
    200: sessionResponse(
      "The completed session with its order (or, when the payment was declined, the open session with a `payment_declined` message).",
    ),
    ...errors,
    503: acpError("`payments_disabled`: this server takes no payments (`PAYMENTS_MODE` is not `test`)."),
  },
});

export const cancelCheckoutSession = createRoute({
  ...base,
  method: "post",
  path: "/checkout_sessions/{checkout_session_id}/cancel",
  operationId: "cancelCheckoutSession",
  summary: "ACP: cancel a checkout session",
  description: `Cancels an open session. The customer's cart keeps its lines (it is theirs on every channel); the session can no longer be changed or completed.${scopeNote}`,
  request: {
    params: z.object({ checkout_session_id: SessionId }),
    headers: postHeaders,
    body: { required: false, content: { "application/json": { schema: CancelRequest } } },
  },
  responses: {
    200: sessionResponse("The canceled session."),
    ...errors,
    405: acpError("The session is already completed or canceled."),
  },
});

// ---------------------------------------------------------------------------
// Shared steps.

const WHERE = { json: "body", query: "query", param: "path", header: "header" } as const;

/** The validation hook: a missing Idempotency-Key is the protocol's own error; the rest is `invalid` at its JSONPath. */
function hook(result: { success: boolean; target: string; error?: { issues: readonly z.core.$ZodIssue[] } }): undefined {
  if (result.success || !result.error) return undefined;
  if (result.target === "header" && result.error.issues.some((i) => i.path.includes("idempotency-key"))) {
    throw new AcpError(400, "idempotency_key_required", "Idempotency-Key header is required on all POST requests.");
  }
  // Answered in ACP's shape by app.ts (the first failing body field becomes `param`).
  throw validationError(result.error.issues, WHERE[result.target as keyof typeof WHERE] ?? "body");
}

async function sessionEnv(c: Context<AppEnv>, locale: string): Promise<SessionEnv> {
  const locales = await loadLocales(c.get("db"));
  const code = locales.byCode.has(locale) ? locale : locales.default.code;
  const view: ViewContext = { locales, locale: code, chain: fallbackChain(locales, code), baseUrl: c.get("config").PUBLIC_BASE_URL };
  return {
    view,
    handlers: paymentProviders(c.get("config").PAYMENTS_MODE).map((p) => p.handler),
    delivery: await listDeliveryOptions(c.get("db"), code),
    now: c.get("clock")(),
  };
}

interface Outcome {
  status: 200 | 201;
  body: AcpCheckoutSession;
  statements: (orm: Orm) => Statement[];
}

/**
 * Runs a POST under its Idempotency-Key: a replay answers the stored response; otherwise `plan` runs (again, from
 * fresh reads, when a compare-and-set inside its unit lost) and its statements commit with the stored response.
 */
async function idempotent(c: Context<AppEnv>, body: unknown, plan: () => Promise<Outcome>): Promise<never> {
  const db = c.get("db");
  const key = c.req.header("idempotency-key")?.trim() ?? "";
  if (!key) throw new AcpError(400, "idempotency_key_required", "Idempotency-Key header is required on all POST requests.");
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new AcpError(400, "invalid", "An Idempotency-Key is 1–255 visible ASCII characters (a UUID v4 is a good choice).");
  }
  const principal = c.get("principal");
  if (!principal) throw new AcpError(401, "unauthorized", "An API key is required.");
  const path = c.req.path;
  const claimed = await claimIdempotencyKey(
    db,
    { apiKeyId: principal.keyId, key: `acp ${path} ${key}`, hash: await requestHash(`POST ${path}`, body), path },
    c.get("clock")(),
  );
  const headers = { "content-type": "application/json", "idempotency-key": key };
  if (claimed.kind === "replay") {
    // The stored bytes, replayed as they were (a Response, not a typed body: hence `never` for the route's types).
    return new Response(claimed.body, { status: claimed.status, headers: { ...headers, "idempotent-replayed": "true" } }) as never;
  }
  const claim = claimed.claim;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let outcome: Outcome;
    try {
      outcome = await plan();
    } catch (error) {
      await releaseIdempotencyKey(db, claim);
      throw error;
    }
    const text = JSON.stringify(outcome.body);
    try {
      await db.atomic((orm) => [...outcome.statements(orm), ...completeIdempotencyKey(orm, claim, outcome.status, text)]);
      return new Response(text, { status: outcome.status, headers }) as never;
    } catch (error) {
      if ((isGuardFailure(error) || isUniqueViolation(error)) && (await holdsClaim(db, claim))) continue;
      await releaseIdempotencyKey(db, claim);
      if (isGuardFailure(error)) throw new AcpError(409, "idempotency_in_flight", "Another request took over this Idempotency-Key.");
      throw error;
    }
  }
  await releaseIdempotencyKey(db, claim);
  throw new AcpError(
    409,
    "conflict",
    "The customer's cart kept changing while the session was updated. Retry with the same Idempotency-Key.",
  );
}

const closed = (row: SessionRow) =>
  new AcpError(400, "invalid", `Checkout session ${row.id} is ${row.status}; it can no longer change.`, { param: "$.id" });

/** An ApiError from the journeys (a refused handoff, an empty cart …) as the protocol's error at `param`. */
function asAcp(error: unknown, param?: string): unknown {
  if (error instanceof ApiError && error.status < 500) {
    return new AcpError(400, error.code === "not_found" ? "invalid" : error.code, error.message, param ? { param } : {});
  }
  return error;
}

// ---------------------------------------------------------------------------

export function registerAcpCheckoutRoutes(app: Router) {
  app.openapi(
    createCheckoutSession,
    async (c) => {
      const body = c.req.valid("json");
      const db = c.get("db");
      const principal = c.get("principal")!;
      const now = c.get("clock")();
      const locales = await loadLocales(db);
      let locale = negotiateLocale(locales, undefined, body.locale ?? c.req.header("accept-language"));
      const currency = body.currency.toUpperCase();
      if ((locales.byCode.get(locale)?.currency ?? locales.default.currency) !== currency) {
        const match = locales.rows.find((l) => l.currency === currency);
        if (!match) {
          const sold = [...new Set(locales.rows.map((l) => l.currency.toLowerCase()))].join(", ");
          throw new AcpError(400, "invalid", `This store sells in ${sold || "its default currency"}, not ${body.currency}.`, {
            param: "$.currency",
          });
        }
        locale = match.code;
      }
      const env = await sessionEnv(c, locale);
      const externalId = c.req.header("unison-agent-identity")?.trim() || `key:${principal.keyId}`;
      if (externalId.length > 200 || /\p{Cc}/u.test(externalId)) {
        throw new AcpError(400, "invalid", "Unison-Agent-Identity is 1–200 characters without control characters.");
      }
      const identity = { channel: "agent" as const, externalId };
      let who: { customerId: string; cartId: string } | undefined;

      return idempotent(c, body, async () => {
        if (!who) {
          if (body.metadata?.handoff_code) {
            try {
              await redeemHandoff(db, { code: body.metadata.handoff_code.trim().toUpperCase(), identity }, now, env.view);
            } catch (error) {
              throw asAcp(error, "$.metadata.handoff_code");
            }
          }
          const resolved = await resolveCustomer(db, { identity, channel: "agent" }, now);
          who = { customerId: resolved.customer.id, cartId: resolved.cartId };
        }
        const { ctx, state } = await actionContext(db, { customerId: who.customerId, apiKeyId: principal.keyId }, env.view, now);
        if (state.lines[0] && state.lines[0].currency !== currency) {
          throw new AcpError(400, "invalid", `The customer's cart is in ${state.lines[0].currency.toLowerCase()}.`, {
            param: "$.currency",
          });
        }
        const change = await planCartItems(ctx, state, body.line_items, false);
        const at = now.toISOString();
        const row: SessionRow = {
          id: newId("cs"),
          apiKeyId: principal.keyId,
          customerId: who.customerId,
          status: "open",
          currency,
          locale: env.view.locale,
          buyer: body.buyer ? JSON.stringify(body.buyer) : null,
          fulfillmentDetails: body.fulfillment_details ? JSON.stringify(body.fulfillment_details) : null,
          fulfillmentOptionId: null,
          orderId: null,
          payment: null,
          version: 1,
          createdAt: at,
          updatedAt: at,
        };
        const session = sessionJson(row, { kind: "cart", cart: await cartView(db, change.after, env.view) }, env);
        return {
          status: 201,
          body: session,
          statements: (orm) => [
            ...change.statements(orm),
            orm.insert(acpCheckoutSessions).values(row),
            sessionTimeline(orm, row.customerId, at, "checkout_session", `Opened ACP checkout session ${row.id}`, {
              session: row.id,
              items: body.line_items,
              status: session.status,
            }),
          ],
        };
      });
    },
    hook,
  );

  app.openapi(
    getCheckoutSession,
    async (c) => {
      const db = c.get("db");
      const row = await findSession(db, c.req.valid("param").checkout_session_id, c.get("principal")!.keyId);
      const env = await sessionEnv(c, row.locale);
      return c.json(sessionJson(row, await loadContent(db, row, env.view), env), 200);
    },
    hook,
  );

  app.openapi(
    updateCheckoutSession,
    async (c) => {
      const body = c.req.valid("json");
      const db = c.get("db");
      const id = c.req.valid("param").checkout_session_id;
      const keyId = c.get("principal")!.keyId;
      const now = c.get("clock")();
      return idempotent(c, body, async () => {
        const row = await findSession(db, id, keyId);
        if (row.status !== "open") throw closed(row);
        const env = await sessionEnv(c, row.locale);
        const { ctx, state } = await actionContext(db, row, env.view, now);
        const change = body.line_items ? await planCartItems(ctx, state, body.line_items, true) : { after: state, statements: () => [] };
        const changes: Partial<SessionRow> = { updatedAt: now.toISOString() };
        if (body.buyer !== undefined) changes.buyer = body.buyer ? JSON.stringify(body.buyer) : null;
        if (body.fulfillment_details !== undefined) {
          changes.fulfillmentDetails = body.fulfillment_details ? JSON.stringify(body.fulfillment_details) : null;
        }
        if (body.selected_fulfillment_options !== undefined) {
          const chosen = body.selected_fulfillment_options[0];
          const subtotal = change.after.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
          if (chosen && !fulfillmentOptions(env, row.currency, subtotal).some((o) => o.id === chosen.option_id)) {
            throw new AcpError(400, "invalid", `No fulfillment option "${chosen.option_id}" is offered.`, {
              param: "$.selected_fulfillment_options[0].option_id",
            });
          }
          changes.fulfillmentOptionId = chosen?.option_id ?? null;
        }
        const after = { ...row, ...changes, version: row.version + 1 };
        const session = sessionJson(after, { kind: "cart", cart: await cartView(db, change.after, env.view) }, env);
        return {
          status: 200,
          body: session,
          statements: (orm) => [
            ...change.statements(orm),
            ...sessionCas(orm, row, changes),
            sessionTimeline(orm, row.customerId, changes.updatedAt!, "checkout_session", `Updated ACP checkout session ${row.id}`, {
              session: row.id,
              fields: Object.keys(body),
              status: session.status,
            }),
          ],
        };
      });
    },
    hook,
  );

  app.openapi(
    completeCheckoutSession,
    async (c) => {
      const body = c.req.valid("json");
      const db = c.get("db");
      const id = c.req.valid("param").checkout_session_id;
      const keyId = c.get("principal")!.keyId;
      const now = c.get("clock")();
      const providers = paymentProviders(c.get("config").PAYMENTS_MODE);
      if (!providers.length) {
        throw new AcpError(
          503,
          "payments_disabled",
          "This server takes no payments: checkout sessions complete only with PAYMENTS_MODE=test (the test provider; no money moves).",
          { type: "service_unavailable" },
        );
      }
      return idempotent(c, body, async () => {
        const row = await findSession(db, id, keyId);
        if (row.status !== "open") throw closed(row);
        const provider = providers.find((p) => p.handler.id === body.payment_data.handler_id);
        if (!provider) {
          throw new AcpError(
            400,
            "invalid",
            `Unknown payment handler; this server accepts: ${providers.map((p) => p.handler.id).join(", ")}.`,
            {
              param: "$.payment_data.handler_id",
            },
          );
        }
        const env = await sessionEnv(c, row.locale);
        const { ctx, state } = await actionContext(db, row, env.view, now);
        const at = now.toISOString();
        const buyer = body.buyer ? JSON.stringify(body.buyer) : row.buyer;
        const open = sessionJson({ ...row, buyer }, { kind: "cart", cart: await cartView(db, state, env.view) }, env);
        if (open.status !== "ready_for_payment") {
          const first = open.messages.find((m) => m.type === "error");
          throw new AcpError(
            400,
            "invalid",
            `The session is not ready for payment: ${open.messages
              .filter((m) => m.type === "error")
              .map((m) => m.content)
              .join(" ")}`,
            {
              ...(first?.param ? { param: first.param } : {}),
            },
          );
        }
        const total = open.totals.find((t) => t.type === "total")?.amount ?? 0;
        const auth = await provider.authorize({
          amount: total,
          currency: row.currency,
          sessionId: row.id,
          token: body.payment_data.instrument.credential.token,
        });
        if (!auth.ok && auth.code === "invalid") {
          throw new AcpError(400, "invalid", auth.message, { param: "$.payment_data.instrument.credential.token" });
        }
        if (!auth.ok) {
          const declined: AcpCheckoutSession = {
            ...open,
            messages: [
              ...open.messages,
              {
                type: "error",
                code: "payment_declined",
                severity: "high",
                resolution: "requires_buyer_input",
                param: "$.payment_data",
                content_type: "plain",
                content: auth.message,
              },
            ],
          };
          return {
            status: 200,
            body: declined,
            statements: (orm) => [
              sessionTimeline(orm, row.customerId, at, "checkout", `Checkout refused: payment declined (ACP session ${row.id})`, {
                session: row.id,
                status: 402,
                code: "payment_declined",
              }),
            ],
          };
        }
        // The same delivery the session showed: its option (as every channel's checkout takes it) and its address.
        const option = open.selected_fulfillment_options[0]?.option_id;
        const shipTo = shippingAddressOf(open.fulfillment_details, open.buyer);
        const deliveryOption = env.delivery.find((o) => o.key === option);
        const delivery = deliveryOption && "address" in shipTo ? { option: deliveryOption, address: shipTo.address } : null;
        let change: Awaited<ReturnType<typeof planCheckout>>;
        try {
          change = await planCheckout(ctx, await loadCart(db, ctx.cartId), delivery);
        } catch (error) {
          throw asAcp(error, "$.line_items");
        }
        if (change.order.total.amount !== total) {
          throw new AcpError(409, "conflict", "The cart changed while the session was being completed. Retry.");
        }
        const done: SessionRow = { ...row, status: "completed", buyer, updatedAt: at, version: row.version + 1 };
        const session = sessionJson(done, { kind: "order", order: change.order }, env);
        const number = change.order.number;
        return {
          status: 200,
          body: session,
          statements: (orm) => [
            ...change.statements(orm),
            ...sessionCas(orm, row, {
              status: "completed",
              buyer,
              // planCheckout names the order by its number; the id is read in the same unit.
              orderId: sql`(SELECT id FROM orders WHERE number = ${number})` as unknown as string,
              payment: JSON.stringify({ provider: auth.provider, reference: auth.reference, amount: total, currency: row.currency }),
              updatedAt: at,
            }),
            sessionTimeline(
              orm,
              row.customerId,
              at,
              "checkout",
              `Placed order ${number} (${change.order.amountDue.formatted}) — ACP checkout session ${row.id}`,
              {
                session: row.id,
                status: 200,
                order: number,
                payment: { provider: auth.provider, reference: auth.reference },
              },
            ),
          ],
        };
      });
    },
    hook,
  );

  app.openapi(
    cancelCheckoutSession,
    async (c) => {
      const db = c.get("db");
      const id = c.req.valid("param").checkout_session_id;
      const keyId = c.get("principal")!.keyId;
      const now = c.get("clock")();
      const body = c.req.header("content-type") ? c.req.valid("json") : {};
      return idempotent(c, body ?? {}, async () => {
        const row = await findSession(db, id, keyId);
        if (row.status !== "open") throw new AcpError(405, "invalid", `Checkout session ${row.id} is already ${row.status}.`);
        const env = await sessionEnv(c, row.locale);
        const at = now.toISOString();
        const after: SessionRow = { ...row, status: "canceled", updatedAt: at, version: row.version + 1 };
        const session = sessionJson(after, await loadContent(db, row, env.view), env);
        return {
          status: 200,
          body: session,
          statements: (orm) => [
            ...sessionCas(orm, row, { status: "canceled", updatedAt: at }),
            sessionTimeline(orm, row.customerId, at, "checkout_session", `Canceled ACP checkout session ${row.id}`, { session: row.id }),
          ],
        };
      });
    },
    hook,
  );
}
