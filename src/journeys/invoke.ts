/**
 * Invoking an action: the one path every channel's action takes.
 *
 * 1. The idempotency key is claimed (or the stored response replayed) before
 *    anything else, so a replay is exact even if the catalogue or the
 *    customer's data changed since.
 * 2. Prepare: the action must be live and enabled, its input valid, the
 *    customer resolved (an identity seen first creates one; a customer id that
 *    another identity contradicts is 403). A failure here means the request
 *    was wrong: the claim is released, nothing is stored.
 * 3. Execute: the handler plans from fresh reads; the plan's statements, the
 *    timeline entries and the idempotency record commit as ONE atomic unit.
 *    When a compare-and-set inside it lost (another channel changed the cart,
 *    the last unit sold), the handler plans again from fresh reads; a business
 *    refusal (out of stock, empty cart …) is a response like any other: stored,
 *    replayed, and noted on the timeline.
 */
import { z } from "@hono/zod-openapi";
import { listDeliveryOptions } from "../catalogue/delivery";
import { CHANNELS, LocaleCode } from "../catalogue/documents";
import type { ViewContext } from "../catalogue/products";
import { BODY_EXAMPLES, RenderBody } from "../channels/bodies";
import { catalogueActions } from "../channels/load";
import { type CatalogueAction, overridden } from "../channels/views";
import type { Registry } from "../consistency/engine";
import { type Database, isGuardFailure, isUniqueViolation, type Orm, type Statement } from "../db/client";
import { ApiError, problemBody, validationError } from "../lib/errors";
import { ACTION_HANDLERS, ACTION_KEYS, type ActionKey, actionSchemaRefs, isActionKey } from "./actions";
import { IdentitySchema, JourneyChannelSchema, RENDERER_OF } from "./channels";
import { CustomerIdSchema, resolveCustomer } from "./customers";
import {
  type Claim,
  claimIdempotencyKey,
  completeIdempotencyKey,
  holdsClaim,
  IDEMPOTENCY_KEY_PATTERN,
  releaseIdempotencyKey,
  requestHash,
} from "./idempotency";
import { recordInteraction } from "./interactions";
import type { ActionContext, Plan } from "./plan";
import { renderReply } from "./replies";

/** How often a handler re-plans after losing a compare-and-set before the client is asked to retry. */
const MAX_ATTEMPTS = 8;

/** Full jitter (up to 2^attempt ms, capped): concurrent losers spread out instead of colliding again. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(64, 2 ** attempt)));
}

/**
 * The reply for the calling channel, drawn by that channel's renderer: SMS
 * text (the inbound SMS webhook wraps it in TwiML), a WhatsApp / Slack /
 * Telegram / Messenger payload, a mobile screen, a web page — announced by
 * `contentType`, with the natural next steps as native controls. `text` stays
 * plain text for transcripts, accessibility and the timeline.
 */
export const ReplySchema = z
  .object({
    channel: JourneyChannelSchema,
    renderer: z.enum(CHANNELS).openapi({ description: "The renderer that draws replies for this channel." }),
    format: z.string().openapi({
      description: "The platform format (`text`, `whatsapp`, `slack`, `telegram`, `messenger`, `html`, `screen`).",
      example: "whatsapp",
    }),
    contentType: z.string().openapi({ example: "application/json" }),
    body: z.union([z.string(), RenderBody]).openapi({
      description:
        "What to send on the channel, in `contentType`: text for SMS and web; for chat, mobile and agent the format's JSON body (`RenderBody`: one shape per format).",
      example: BODY_EXAMPLES.whatsapp,
    }),
    text: z.string().openapi({ description: "The reply as plain text.", example: "Added to your cart. Merino crew sweater ×1 — €89.00" }),
  })
  .openapi("ActionReply");
export type Reply = z.infer<typeof ReplySchema>;

/** The envelope every action call shares; the action's own `input` is validated by its handler's schema. */
export const ActionRequestSchema = z
  .strictObject({
    channel: JourneyChannelSchema.openapi({ description: "The channel the customer is using right now (replies are rendered for it)." }),
    customer: CustomerIdSchema.optional().openapi({
      description: "The customer, when known. With `identity` too, the identity must be theirs.",
    }),
    identity: IdentitySchema.optional().openapi({
      description: "The customer's handle on a channel. Seen for the first time, it creates a customer.",
    }),
    locale: LocaleCode.optional().openapi({
      description: "The reply's locale; without it `Accept-Language` is negotiated.",
      example: "en",
    }),
    input: z
      .unknown()
      .optional()
      .openapi({
        description: "The action's input: the `<Action>Input` schema of the action in the path. Unknown fields are refused.",
        anyOf: actionSchemaRefs("Input"),
      }),
  })
  .refine((r) => r.customer !== undefined || r.identity !== undefined, {
    message: "Name the customer: `customer` (an id), `identity` (a channel handle), or both.",
    path: ["identity"],
  })
  .openapi("ActionRequest");
export type ActionRequest = z.infer<typeof ActionRequestSchema>;

export interface InvokeInput {
  /** The channel renderers the reply is drawn with: the registry createApp was given (`c.get("renderers")`). */
  registry: Registry;
  key: string;
  request: ActionRequest;
  idempotencyKey: string | undefined;
  apiKeyId: string;
  requestId: string | undefined;
  view: ViewContext;
  now: Date;
}

/** The response as bytes: replays return exactly these. */
export interface InvokeOutcome {
  status: number;
  body: string;
  replayed: boolean;
  headers: Record<string, string>;
}

/**
 * Runs one action call end to end.
 *
 * @example
 * const out = await invokeAction(db, { registry: c.get("renderers"), key: "add_to_cart", request, idempotencyKey, apiKeyId, requestId, view, now });
 * return new Response(out.body, { status: out.status });
 */
export async function invokeAction(db: Database, call: InvokeInput): Promise<InvokeOutcome> {
  if (!isActionKey(call.key)) {
    throw new ApiError("not_found", `No action "${call.key}". Actions: ${ACTION_KEYS.join(", ")}.`);
  }
  const key: ActionKey = call.key;
  const handler = ACTION_HANDLERS[key];
  if (call.idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(call.idempotencyKey)) {
    throw new ApiError("bad_request", "An Idempotency-Key is 1–255 visible ASCII characters (a UUID is a good choice).");
  }
  if (handler.sideEffects && !call.idempotencyKey) {
    throw new ApiError(
      "idempotency_key_required",
      `"${key}" changes things: send an Idempotency-Key header (a fresh UUID per intended change) so a retry cannot do it twice.`,
    );
  }

  let claim: Claim | null = null;
  if (call.idempotencyKey) {
    const path = `/v1/actions/${key}`;
    const outcome = await claimIdempotencyKey(
      db,
      { apiKeyId: call.apiKeyId, key: call.idempotencyKey, hash: await requestHash(`POST ${path}`, call.request), path },
      call.now,
    );
    if (outcome.kind === "replay") return { status: outcome.status, body: outcome.body, replayed: true, headers: {} };
    claim = outcome.claim;
  }

  let ctx: ActionContext;
  let input: unknown;
  let confirmation: string;
  let catalogue: CatalogueAction[];
  try {
    catalogue = await catalogueActions(db, call.view);
    const live = catalogue.find((a) => a.view.key === key);
    if (!live) throw new ApiError("not_found", `The action "${key}" is not published in the catalogue.`);
    if (!live.view.enabled) throw new ApiError("action_disabled", `The action "${key}" is turned off in the catalogue.`);
    const parsed = handler.input.safeParse(call.request.input === undefined ? {} : call.request.input);
    if (!parsed.success) {
      throw validationError(
        parsed.error.issues.map((issue) => ({ ...issue, path: ["input", ...issue.path] })),
        "body",
        `The input of "${key}" is invalid.`,
      );
    }
    input = parsed.data;
    const resolved = await resolveCustomer(
      db,
      { customerId: call.request.customer, identity: call.request.identity, channel: call.request.channel },
      call.now,
    );
    ctx = {
      db,
      now: call.now,
      channel: call.request.channel,
      customer: resolved.customer,
      cartId: resolved.cartId,
      view: call.view,
      keyId: call.apiKeyId,
    };
    const renderer = RENDERER_OF[call.request.channel];
    confirmation = overridden(live.overrides, renderer, call.view.locale, "confirmation", live.view.confirmation);
  } catch (error) {
    // The request itself was wrong (or we failed before starting): nothing happened, nothing is stored.
    if (claim) await releaseIdempotencyKey(db, claim);
    throw error;
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let plan: Plan<unknown>;
    try {
      plan = await handler.plan(ctx, input);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) return refuse(db, ctx, key, input, claim, error, call.requestId);
      if (claim) await releaseIdempotencyKey(db, claim);
      throw error;
    }
    const reply = renderReply(call.registry, {
      channel: ctx.channel,
      action: key,
      confirmation,
      detail: plan.detail,
      result: plan.result,
      locale: call.view.locale,
      baseUrl: call.view.baseUrl,
      actions: catalogue,
      delivery: hasCart(plan.result) ? await listDeliveryOptions(db, call.view.locale) : [],
    });
    const body = JSON.stringify({ action: key, customer: ctx.customer.id, result: plan.result, reply });
    try {
      await db.atomic((orm) => [
        ...plan.statements(orm),
        ...timeline(orm, ctx, key, { input, status: 200, summary: plan.summary }, reply),
        // Last: the stored response commits with the change, and only while this request holds the claim.
        ...(claim ? completeIdempotencyKey(orm, claim, 200, body) : []),
      ]);
      return { status: 200, body, replayed: false, headers: {} };
    } catch (error) {
      if (isGuardFailure(error) || isUniqueViolation(error)) {
        if (claim && !(await holdsClaim(db, claim))) throw lostClaim();
        await backoff(attempt);
        continue; // a compare-and-set lost: plan again from fresh reads
      }
      if (claim) await releaseIdempotencyKey(db, claim);
      throw error;
    }
  }
  if (claim) await releaseIdempotencyKey(db, claim);
  throw new ApiError("conflict", "This customer's data kept changing while the action ran. Retry with the same Idempotency-Key.");
}

function lostClaim(): ApiError {
  return new ApiError("idempotency_in_flight", "Another request took over this Idempotency-Key. Retry to get its response.", {
    headers: { "retry-after": "1" },
  });
}

/** A business refusal is an outcome: stored with the key (replayed on retry) and noted on the timeline. */
async function refuse(
  db: Database,
  ctx: ActionContext,
  key: ActionKey,
  input: unknown,
  claim: Claim | null,
  error: ApiError,
  requestId: string | undefined,
): Promise<InvokeOutcome> {
  const body = JSON.stringify(problemBody(error.code, error.message, requestId, error.extra));
  try {
    await db.atomic((orm) => [
      ...timeline(orm, ctx, key, { input, status: error.status, code: error.code, summary: `${key} refused: ${error.message}` }, null),
      ...(claim ? completeIdempotencyKey(orm, claim, error.status, body) : []),
    ]);
  } catch (failure) {
    if (isGuardFailure(failure)) throw lostClaim();
    if (claim) await releaseIdempotencyKey(db, claim);
    throw failure;
  }
  return { status: error.status, body, replayed: false, headers: error.headers };
}

/** The action on the timeline (with its input and outcome), then what was sent back. */
function timeline(
  orm: Orm,
  ctx: ActionContext,
  key: ActionKey,
  outcome: { input: unknown; status: number; code?: string; summary: string },
  reply: Reply | null,
): Statement[] {
  const at = ctx.now.toISOString();
  const { summary, ...payload } = outcome;
  const out = [
    recordInteraction(orm, {
      customerId: ctx.customer.id,
      channel: ctx.channel,
      direction: "action",
      actionKey: key,
      summary,
      payload,
      at,
    }),
  ];
  if (reply) {
    out.push(
      recordInteraction(orm, {
        customerId: ctx.customer.id,
        channel: ctx.channel,
        direction: "outbound",
        actionKey: key,
        summary: reply.text,
        payload: { contentType: reply.contentType },
        at,
      }),
    );
  }
  return out;
}

/** Whether an action's result carries a cart (its reply then offers the delivery options). */
function hasCart(result: unknown): boolean {
  return typeof result === "object" && result !== null && "cart" in result;
}
