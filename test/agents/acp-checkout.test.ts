/**
 * ACP checkout sessions over real HTTP, on the server `npm start` runs (src/node.ts `serve`) with
 * `PAYMENTS_MODE=test`: every response is validated against the Agentic Commerce Protocol's own
 * JSON Schema (release 2026-04-17, vendored in ./acp-spec) and against the served /openapi.json.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp } from "../helpers/app";
import { checkResponse } from "../helpers/contract";
import { CONTENT_DIR } from "../helpers/demo";
import { type RunningServer, startServer } from "../helpers/server";
import { startReceiver } from "../webhooks/receiver";

const schema = JSON.parse(readFileSync(new URL("./acp-spec/schema.agentic_checkout.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schema, "acp");
/** Validates a body against one of the ACP schema's definitions; returns the errors (none when valid). */
export function acpErrors(def: string, body: unknown): string[] {
  const validate = ajv.getSchema(`acp#/$defs/${def}`)!;
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** ACP's webhook body (openapi.agentic_checkout_webhook.yaml: WebhookEvent, whose data is the checkout schema's Order). */
const validateOrderEvent = ajv.compile({
  type: "object",
  additionalProperties: false,
  required: ["type", "data"],
  properties: {
    type: { enum: ["order_create", "order_update"] },
    data: { allOf: [{ $ref: "acp#/$defs/Order" }], required: ["type", "checkout_session_id", "permalink_url", "status"] },
  },
});

const ADDRESS = { name: "Kari Nordmann", line_one: "Storgata 1", city: "Oslo", state: "Oslo", country: "NO", postal_code: "0150" };
const DETAILS = { name: "Kari Nordmann", email: "kari@example.com", address: ADDRESS };

let server: RunningServer;
let key: string;

beforeAll(async () => {
  // Webhooks tick every 100 ms and may reach a receiver on loopback (the order events test subscribes one).
  server = await startServer({ PAYMENTS_MODE: "test", WEBHOOK_INTERVAL_MS: "100", WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  const res = await fetch(`${server.url}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "acp agent", scopes: ["actions:invoke"] }),
  });
  key = ((await res.json()) as { secret: string }).secret;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

interface Call {
  status: number;
  body: any;
  headers: Headers;
}

/** One ACP call: API-Version and the key always, a fresh Idempotency-Key on POST unless given; the response checked against both contracts. */
async function acp(method: "GET" | "POST", path: string, body?: unknown, headers: Record<string, string> = {}, as = key): Promise<Call> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as}`,
      "api-version": "2026-04-17",
      ...(method === "POST" ? { "content-type": "application/json", "idempotency-key": crypto.randomUUID() } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await checkResponse(server.url, method, path, res.clone());
  const json: any = await res.json();
  if (res.status < 300) expect(acpErrors(json.order ? "CheckoutSessionWithOrder" : "CheckoutSession", json)).toEqual([]);
  else expect(acpErrors("Error", json)).toEqual([]);
  return { status: res.status, body: json, headers: res.headers };
}

const total = (session: { totals: { type: string; amount: number }[] }) => session.totals.find((t) => t.type === "total")?.amount;

describe("ACP checkout sessions (POST/GET /checkout_sessions…)", () => {
  it("lifecycle: create → update with an address → complete with the test token; the order is the customer's, on the API and the web", async () => {
    const identity = { "unison-agent-identity": "acp-lifecycle-1" };
    const created = await acp(
      "POST",
      "/checkout_sessions",
      { line_items: [{ id: "ENA-MUG-WHITE", quantity: 2 }], currency: "eur" },
      identity,
    );
    expect(created.status).toBe(201);
    const session = created.body;
    expect(session.status).toBe("not_ready_for_payment");
    expect(session.currency).toBe("eur");
    expect(session.line_items).toHaveLength(1);
    expect(session.line_items[0]).toMatchObject({ item: { id: "ENA-MUG-WHITE" }, quantity: 2 });
    const unit = session.line_items[0].unit_amount;
    expect(Number.isInteger(unit)).toBe(true);
    // Items plus the preselected shipping option's price.
    const fee = session.totals.find((t: { type: string }) => t.type === "fulfillment").amount;
    expect(total(session)).toBe(unit * 2 + fee);
    expect(session.messages.map((m: { param: string }) => m.param)).toContain("$.fulfillment_details.address");
    expect(session.capabilities.payment.handlers.map((h: { id: string }) => h.id)).toEqual(["unison_test"]);

    // The session is the customer's one cart: the storefront's cart API shows the same lines.
    const updated = await acp("POST", `/checkout_sessions/${session.id}`, {
      line_items: [{ id: "ENA-MUG-WHITE" }, { id: "ENA-MUG-WHITE" }, { id: "BEE-CAN" }],
      fulfillment_details: DETAILS,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.status).toBe("ready_for_payment");
    // The shop's shipping delivery options (content/delivery.json) are the fulfillment options; the first is preselected.
    expect(updated.body.fulfillment_options.map((o: { id: string }) => o.id)).toEqual(["standard", "express"]);
    expect(updated.body.selected_fulfillment_options).toEqual([
      { type: "shipping", option_id: "standard", item_ids: ["ENA-MUG-WHITE", "BEE-CAN"] },
    ]);
    const standard = updated.body.fulfillment_options[0];
    expect(standard).toMatchObject({ type: "shipping", title: "Standard delivery", description: "2–4 business days" });
    expect(Date.parse(standard.latest_delivery_time) - Date.parse(standard.earliest_delivery_time)).toBeGreaterThanOrEqual(2 * 86_400_000);
    const items = updated.body.totals.find((t: { type: string }) => t.type === "subtotal").amount;
    expect(total(updated.body)).toBe(items + standard.totals[0].amount);
    expect(updated.body.fulfillment_details.address).toEqual(ADDRESS);
    const express = await acp("POST", `/checkout_sessions/${session.id}`, {
      selected_fulfillment_options: [{ type: "shipping", option_id: "express", item_ids: [] }],
    });
    expect(express.body.selected_fulfillment_options[0].option_id).toBe("express");
    const expressFee = express.body.fulfillment_options[1].totals[0].amount;
    expect(express.body.totals.find((t: { type: string }) => t.type === "fulfillment").amount).toBe(expressFee);
    const bogus = await acp("POST", `/checkout_sessions/${session.id}`, {
      selected_fulfillment_options: [{ type: "shipping", option_id: "teleport", item_ids: [] }],
    });
    expect(bogus.body).toMatchObject({ code: "invalid", param: "$.selected_fulfillment_options[0].option_id" });
    expect(updated.body.line_items.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ["ENA-MUG-WHITE", 2],
      ["BEE-CAN", 1],
    ]);
    expect(updated.body.messages.filter((m: { type: string }) => m.type === "error")).toEqual([]);
    const got = await acp("GET", `/checkout_sessions/${session.id}`);
    expect(got.body).toEqual(express.body);

    const completed = await acp("POST", `/checkout_sessions/${session.id}/complete`, {
      payment_data: {
        handler_id: "unison_test",
        instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
      },
      buyer: { first_name: "Kari", email: "kari@example.com" },
    });
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe("completed");
    const order = completed.body.order;
    expect(order).toMatchObject({ checkout_session_id: session.id, status: "confirmed" });
    expect(order.permalink_url).toBe(`${server.url}/orders/${order.id}`);
    expect(total(order)).toBe(total(express.body));
    expect(total(completed.body)).toBe(total(express.body));

    // The same order any channel's checkout creates: on the customer's orders and timeline (channel agent), stock taken.
    const admin = { authorization: `Bearer ${server.adminKey}` };
    const customers: any = await (await fetch(`${server.url}/v1/customers?q=acp-lifecycle-1`, { headers: admin })).json();
    const customerId = (customers.data ?? customers.items ?? customers)[0].id;
    const orders: any = await (await fetch(`${server.url}/v1/customers/${customerId}/orders`, { headers: admin })).json();
    expect(
      orders.data.map((o: { number: string; channel: string; total: { amount: number } }) => [o.number, o.channel, o.total.amount]),
    ).toEqual([[order.id, "agent", total(order)]]);
    const timeline: any = await (await fetch(`${server.url}/v1/customers/${customerId}/timeline?limit=50`, { headers: admin })).json();
    expect(timeline.data.some((e: { action: string; summary: string }) => e.action === "checkout" && e.summary.includes(order.id))).toBe(
      true,
    );

    // On the web: the customer continues there with a handoff, and sees the order page and an empty cart.
    const handoff = await fetch(`${server.url}/v1/actions/handoff`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({ channel: "agent", customer: customerId, input: { to: "web" } }),
    });
    const code = ((await handoff.json()) as any).result.handoff.code;
    // The link shows what continuing does; its button (a same-origin POST) links the browser.
    expect((await fetch(`${server.url}/h/${code}`)).status).toBe(200);
    const opened = await fetch(`${server.url}/h/${code}`, { method: "POST", headers: { origin: server.url }, redirect: "manual" });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.getSetCookie().find((c) => c.startsWith("unison_session=")) ?? "").split(";")[0]!;
    const page = await fetch(`${server.url}/orders/${order.id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(order.id);
    expect(html).toContain(updated.body.line_items[0].name);
    const cart: any = await (await fetch(`${server.url}/v1/customers/${customerId}`, { headers: admin })).json();
    expect(cart.id).toBe(customerId);

    // A completed session is closed: no more changes, no second order.
    const again = await acp("POST", `/checkout_sessions/${session.id}/complete`, {
      payment_data: {
        handler_id: "unison_test",
        instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
      },
    });
    expect(again.status).toBe(400);
    const cancelDone = await acp("POST", `/checkout_sessions/${session.id}/cancel`, {});
    expect(cancelDone.status).toBe(405);
  });

  it("the ACP feed promises in-line checkout (is_eligible_checkout) on a server that completes sessions", async () => {
    const feed = await fetch(`${server.url}/v1/feeds/acp`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    const items = ((await feed.json()) as { items: { is_eligible_checkout: boolean }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.is_eligible_checkout === true)).toBe(true);
  });

  it("replays: the same Idempotency-Key and body answer the original response; another body is 422 idempotency_conflict", async () => {
    const body = { line_items: [{ id: "BEE-CAN", quantity: 1 }], currency: "eur" };
    const idem = { "idempotency-key": crypto.randomUUID(), "unison-agent-identity": "acp-replay-1" };
    const first = await acp("POST", "/checkout_sessions", body, idem);
    expect(first.status).toBe(201);
    const replay = await acp("POST", "/checkout_sessions", { currency: "eur", line_items: [{ quantity: 1, id: "BEE-CAN" }] }, idem);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("idempotency-key")).toBe(idem["idempotency-key"]);
    const conflict = await acp("POST", "/checkout_sessions", { ...body, line_items: [{ id: "BEE-CAN", quantity: 2 }] }, idem);
    expect(conflict.status).toBe(422);
    expect(conflict.body).toMatchObject({ type: "invalid_request", code: "idempotency_conflict" });
    // The replay created nothing: one session, the cart holds one candle.
    const got = await acp("GET", `/checkout_sessions/${first.body.id}`);
    expect(got.body.line_items.map((l: { quantity: number }) => l.quantity)).toEqual([1]);

    // A completion replayed places no second order.
    const id = first.body.id;
    await acp("POST", `/checkout_sessions/${id}`, { fulfillment_details: DETAILS });
    const pay = {
      payment_data: {
        handler_id: "unison_test",
        instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
      },
    };
    const payKey = { "idempotency-key": crypto.randomUUID() };
    const done = await acp("POST", `/checkout_sessions/${id}/complete`, pay, payKey);
    const redone = await acp("POST", `/checkout_sessions/${id}/complete`, pay, payKey);
    expect(redone.status).toBe(200);
    expect(redone.body.order.id).toBe(done.body.order.id);
    expect(redone.headers.get("idempotent-replayed")).toBe("true");
  });

  it("a declined test token leaves the session open with a payment_declined message; the success token then completes it", async () => {
    const created = await acp(
      "POST",
      "/checkout_sessions",
      { line_items: [{ id: "BEE-CAN" }], currency: "eur", fulfillment_details: DETAILS },
      { "unison-agent-identity": "acp-declined-1" },
    );
    expect(created.body.status).toBe("ready_for_payment");
    const token = (t: string) => ({
      payment_data: { handler_id: "unison_test", instrument: { type: "card", credential: { type: "test_token", token: t } } },
    });
    const declined = await acp("POST", `/checkout_sessions/${created.body.id}/complete`, token("unison_test_declined"));
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe("ready_for_payment");
    expect(declined.body.order).toBeUndefined();
    expect(declined.body.messages).toContainEqual(expect.objectContaining({ type: "error", code: "payment_declined" }));
    const unknown = await acp("POST", `/checkout_sessions/${created.body.id}/complete`, token("tok_visa"));
    expect(unknown.status).toBe(400);
    expect(unknown.body.param).toBe("$.payment_data.instrument.credential.token");
    const paid = await acp("POST", `/checkout_sessions/${created.body.id}/complete`, token("unison_test_success"));
    expect(paid.body.status).toBe("completed");
  });

  it("cancel closes an open session and keeps the customer's cart", async () => {
    const created = await acp(
      "POST",
      "/checkout_sessions",
      { line_items: [{ id: "BEE-CAN" }], currency: "eur" },
      { "unison-agent-identity": "acp-cancel-1" },
    );
    const canceled = await acp("POST", `/checkout_sessions/${created.body.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe("canceled");
    expect(canceled.body.line_items.map((l: { sku: string }) => l.sku)).toEqual(["BEE-CAN"]);
    const update = await acp("POST", `/checkout_sessions/${created.body.id}`, { fulfillment_details: DETAILS });
    expect(update.status).toBe(400);
    expect((await acp("POST", `/checkout_sessions/${created.body.id}/cancel`, {})).status).toBe(405);
  });

  it("protocol errors: API-Version, Idempotency-Key, auth, unknown items and sessions, all in ACP's error shape", async () => {
    const noVersion = await acp("POST", "/checkout_sessions", { line_items: [{ id: "BEE-CAN" }], currency: "eur" }, { "api-version": "" });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatchObject({ code: "missing_api_version", supported_versions: ["2026-04-17"] });
    const oldVersion = await acp("GET", "/checkout_sessions/cs_x", undefined, { "api-version": "2025-09-29" });
    expect(oldVersion.body).toMatchObject({ code: "unsupported_api_version", supported_versions: ["2026-04-17"] });
    const noKey = await acp("POST", "/checkout_sessions", { line_items: [{ id: "BEE-CAN" }], currency: "eur" }, { "idempotency-key": "" });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ type: "invalid_request", code: "idempotency_key_required" });
    const absent = await fetch(`${server.url}/checkout_sessions/cs_x/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "api-version": "2026-04-17", "content-type": "application/json" },
      body: "{}",
    });
    expect(absent.status).toBe(400);
    expect(await absent.json()).toMatchObject({ code: "idempotency_key_required" });
    const anonymous = await fetch(`${server.url}/checkout_sessions/cs_x`, { headers: { "api-version": "2026-04-17" } });
    expect(anonymous.status).toBe(401);
    expect(acpErrors("Error", await anonymous.json())).toEqual([]);
    const reader = await fetch(`${server.url}/v1/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "reader", scopes: ["catalog:read"] }),
    });
    const readKey = ((await reader.json()) as { secret: string }).secret;
    expect((await acp("GET", "/checkout_sessions/cs_x", undefined, {}, readKey)).status).toBe(403);
    const unknownItem = await acp("POST", "/checkout_sessions", { line_items: [{ id: "NO-SUCH-SKU" }], currency: "eur" });
    expect(unknownItem.status).toBe(400);
    expect(unknownItem.body).toMatchObject({ type: "invalid_request", param: "$.line_items[0]" });
    const badCurrency = await acp("POST", "/checkout_sessions", { line_items: [{ id: "BEE-CAN" }], currency: "jpy" });
    expect(badCurrency.body).toMatchObject({ code: "invalid", param: "$.currency" });
    const invalid = await acp("POST", "/checkout_sessions", { line_items: [], currency: "eur" });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: "invalid", param: "$.line_items" });
    expect((await acp("GET", "/checkout_sessions/cs_missing")).status).toBe(404);
  });
});

describe("ACP order events", () => {
  it("the agent's webhook receives order_create and order_update, signed per Standard Webhooks, through the outbox", async () => {
    const receiver = await startReceiver();
    try {
      const admin = { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" };
      const subscribed = await fetch(`${server.url}/v1/admin/webhooks`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: `${receiver.url}/acp/order_events`, events: ["acp.order_create", "acp.order_update"] }),
      });
      expect(subscribed.status).toBe(201);
      const { secret } = (await subscribed.json()) as { secret: string };

      const created = await acp(
        "POST",
        "/checkout_sessions",
        { line_items: [{ id: "BEE-CAN" }], currency: "eur", fulfillment_details: DETAILS },
        { "unison-agent-identity": "acp-events-1" },
      );
      const done = await acp("POST", `/checkout_sessions/${created.body.id}/complete`, {
        payment_data: {
          handler_id: "unison_test",
          instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
        },
      });
      const order = done.body.order;
      // The order changes status on another channel (the customer cancels by SMS-like action call): an order_update.
      const customers: any = await (await fetch(`${server.url}/v1/customers?q=acp-events-1`, { headers: admin })).json();
      const cancel = await fetch(`${server.url}/v1/actions/cancel_order`, {
        method: "POST",
        headers: { ...admin, "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ channel: "web", customer: customers.data[0].id, input: { orderNumber: order.id } }),
      });
      expect(cancel.status).toBe(200);

      for (let i = 0; i < 100 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(receiver.received).toHaveLength(2);
      const wh = new Webhook(secret);
      const events = receiver.received.map((hit) => {
        expect(hit.path).toBe("/acp/order_events");
        return wh.verify(hit.body, {
          "webhook-id": String(hit.headers["webhook-id"]),
          "webhook-timestamp": String(hit.headers["webhook-timestamp"]),
          "webhook-signature": String(hit.headers["webhook-signature"]),
        }) as { type: string; data: Record<string, unknown> };
      });
      for (const event of events) expect(validateOrderEvent(event), JSON.stringify(validateOrderEvent.errors)).toBe(true);
      expect(events.map((e) => [e.type, e.data.id, e.data.checkout_session_id, e.data.status])).toEqual([
        ["order_create", order.id, created.body.id, "confirmed"],
        ["order_update", order.id, created.body.id, "canceled"],
      ]);
      expect(events[0]!.data.permalink_url).toBe(order.permalink_url);
      expect(() =>
        wh.verify(`${receiver.received[0]!.body} `, {
          "webhook-id": String(receiver.received[0]!.headers["webhook-id"]),
          "webhook-timestamp": String(receiver.received[0]!.headers["webhook-timestamp"]),
          "webhook-signature": String(receiver.received[0]!.headers["webhook-signature"]),
        }),
      ).toThrow();
    } finally {
      await receiver.close();
    }
  });
});

describe("without PAYMENTS_MODE=test", () => {
  it("sessions open but completion is refused with 503 payments_disabled, and no handler is offered", async () => {
    const t = await createTestApp();
    await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
    const auth = await t.auth("actions:invoke");
    const headers = { ...auth, "api-version": "2026-04-17" };
    const created = await t.request("POST", "/checkout_sessions", {
      headers: { ...headers, "idempotency-key": "k1" },
      body: { line_items: [{ id: "BEE-CAN" }], currency: "eur", fulfillment_details: DETAILS },
    });
    expect(created.status).toBe(201);
    const session: any = await created.json();
    expect(acpErrors("CheckoutSession", session)).toEqual([]);
    expect(session.capabilities.payment.handlers).toEqual([]);
    expect(session.status).toBe("not_ready_for_payment");
    const res = await t.request("POST", `/checkout_sessions/${session.id}/complete`, {
      headers: { ...headers, "idempotency-key": "k2" },
      body: {
        payment_data: {
          handler_id: "unison_test",
          instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
        },
      },
    });
    expect(res.status).toBe(503);
    const error: any = await res.json();
    expect(acpErrors("Error", error)).toEqual([]);
    expect(error).toMatchObject({ type: "service_unavailable", code: "payments_disabled" });
    expect(error.message).toContain("PAYMENTS_MODE=test");
  });
});
