/**
 * Journey handlers: thin — validate (the routes' schemas), call the domain in
 * `src/journeys/`, respond. Customer data is private: every response is
 * `Cache-Control: no-store`.
 */
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import { cartView, loadCartOf } from "../../journeys/carts";
import { caseView, closeCase, getCase, listCases } from "../../journeys/cases";
import { customerView, getCustomer, recordCustomerView } from "../../journeys/customers";
import { redeemHandoff } from "../../journeys/handoffs";
import { listTimeline } from "../../journeys/interactions";
import { invokeAction } from "../../journeys/invoke";
import { listCustomerOrders } from "../../journeys/orders";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError, PROBLEM_CONTENT_TYPE } from "../../lib/errors";
import type { JsonBody } from "../../lib/route";
import { viewContext } from "../delivery/delivery.index";
import {
  actionSchemas,
  closeCaseRoute,
  getCartRoute,
  getCaseRoute,
  getCustomerRoute,
  getTimelineRoute,
  invokeActionRoute,
  listCasesRoute,
  listOrdersRoute,
  redeemHandoffRoute,
} from "./journeys.routes";

function principalId(c: Context<AppEnv>): string {
  const principal = c.get("principal");
  // requireScope ran before the handler; this only narrows the type.
  if (!principal) throw new ApiError("unauthorized", "This operation needs an API key.");
  return principal.keyId;
}

/**
 * Registers the journey routes on the app.
 *
 * @example
 * registerJourneyRoutes(app);
 */
export function registerJourneyRoutes(app: Router) {
  for (const [name, schema] of actionSchemas()) app.openAPIRegistry.register(name, schema);

  app.use("/v1/customers/*", noStore);
  app.use("/v1/cases", noStore);
  app.use("/v1/cases/*", noStore);
  app.use("/v1/handoffs/*", noStore);

  app.openapi(invokeActionRoute, async (c) => {
    const { key } = c.req.valid("param");
    const request = c.req.valid("json");
    const view = await viewContext(c, request.locale);
    const outcome = await invokeAction(c.get("db"), {
      registry: c.get("renderers"),
      key,
      request,
      idempotencyKey: c.req.valid("header")["idempotency-key"],
      apiKeyId: principalId(c),
      requestId: c.get("requestId"),
      view,
      now: c.get("clock")(),
    });
    // The stored bytes, as they are: a replay must be byte-identical to the first response.
    return storedResponse(outcome.body, {
      status: outcome.status,
      headers: {
        "content-type": outcome.status >= 400 ? PROBLEM_CONTENT_TYPE : "application/json",
        "cache-control": "no-store",
        "x-request-id": c.get("requestId"),
        ...(outcome.replayed ? { "idempotent-replayed": "true" } : {}),
        ...outcome.headers,
      },
    });
  });

  app.openapi(getCustomerRoute, async (c) => {
    const db = c.get("db");
    const customer = await getCustomer(db, c.req.valid("param").id);
    await recordCustomerView(db, customer.id, c.get("principal")?.keyId ?? null, c.get("clock")());
    return c.json(await customerView(db, customer, c.get("clock")()), 200);
  });

  app.openapi(getTimelineRoute, async (c) => {
    const db = c.get("db");
    const customer = await getCustomer(db, c.req.valid("param").id);
    const { items, nextCursor } = await listTimeline(db, customer.id, c.req.valid("query"));
    return c.json({ data: items, nextCursor }, 200);
  });

  app.openapi(getCartRoute, async (c) => {
    const db = c.get("db");
    const customer = await getCustomer(db, c.req.valid("param").id);
    const view = await viewContext(c, c.req.valid("query").locale);
    const state = await loadCartOf(db, customer.id);
    if (!state) throw new ApiError("not_found", `Customer ${customer.id} has no cart.`);
    return c.json(await cartView(db, state, view), 200);
  });

  app.openapi(listOrdersRoute, async (c) => {
    const db = c.get("db");
    const query = c.req.valid("query");
    const customer = await getCustomer(db, c.req.valid("param").id);
    const view = await viewContext(c, query.locale);
    const { items, nextCursor } = await listCustomerOrders(db, customer.id, query, view.locale);
    return c.json({ data: items, nextCursor }, 200);
  });

  app.openapi(redeemHandoffRoute, async (c) => {
    const body = c.req.valid("json");
    const view = await viewContext(c, body.locale);
    const result = await redeemHandoff(c.get("db"), { code: c.req.valid("param").code, identity: body.identity }, c.get("clock")(), view);
    return c.json(result, 200);
  });

  app.openapi(listCasesRoute, async (c) => {
    const { items, nextCursor } = await listCases(c.get("db"), c.req.valid("query"));
    return c.json({ data: items, nextCursor }, 200);
  });

  app.openapi(getCaseRoute, async (c) => {
    return c.json(caseView(await getCase(c.get("db"), c.req.valid("param").id)), 200);
  });

  app.openapi(closeCaseRoute, async (c) => {
    const body = (c.req.valid("json") as { resolution?: string } | undefined) ?? {};
    const closed = await closeCase(
      c.get("db"),
      c.req.valid("param").id,
      { resolution: body.resolution ?? null },
      c.get("clock")(),
      principalId(c),
    );
    return c.json(closed, 200);
  });
}

async function noStore(c: Context<AppEnv>, next: () => Promise<void>) {
  await next();
  c.header("cache-control", "no-store");
}

/**
 * An action call's stored bytes as the route's typed response. invokeAction serialized them from an
 * ActionResponse (or a Problem) when the call first ran; a replay must send them unchanged, so they are not
 * parsed and serialized again by `c.json`. The type says what they were made from.
 */
function storedResponse(body: string, init: ResponseInit) {
  return new Response(body, init) as Response & TypedResponse<JSONParsed<JsonBody<typeof invokeActionRoute>>, 200, "json">;
}
