/**
 * The MCP server over real HTTP: the official SDK's client against `/mcp` on
 * the server `npm start` runs (src/node.ts `serve`, a real SQLite file seeded
 * from content/), and the same facts on the agent's text as on the web page.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/node";
import { checkedFetch } from "../helpers/contract";

let server: { url: string; close(): Promise<void> };
let dir: string;
let admin: string;
/** fetch against the server, each response checked against its /openapi.json. */
const call = (path: string, init?: RequestInit) => checkedFetch(server.url)(path, init);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "unison-mcp-"));
  const lines: string[] = [];
  server = await serve({
    port: 0,
    host: "127.0.0.1",
    dbPath: join(dir, "unison.db"),
    env: { LOG_REQUESTS: "false", DEMO_JOURNEYS: "false", WEBHOOK_INTERVAL_MS: "0", PAYMENTS_MODE: "test" },
    print: (line) => lines.push(line),
  });
  const found = lines.join("\n").match(/unison_sk_\S+/);
  if (!found) throw new Error(`no admin key printed:\n${lines.join("\n")}`);
  admin = found[0];
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function keyWith(...scopes: string[]): Promise<string> {
  const res = await call("/v1/admin/keys", {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `mcp ${scopes.join(" ")}`, scopes }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

async function connect(key?: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "unison-test-agent", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } },
  });
  await client.connect(transport);
  return client;
}

const textOf = (result: Record<string, unknown>) =>
  (result.content as { type: string; text: string }[])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");

describe("MCP at /mcp, with the official SDK client, on the server npm start runs", () => {
  it("lists one tool per enabled action, generated from the catalogue, beside the reading tools", async () => {
    const client = await connect(admin);
    expect(client.getServerVersion()?.name).toBe("unison");
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    const actions = (await (await call("/v1/actions?limit=100")).json()) as {
      data: { key: string; enabled: boolean; label: string }[];
    };
    const enabled = actions.data.filter((a) => a.enabled).map((a) => a.key);
    expect(enabled.length).toBeGreaterThan(5);
    expect(names.sort()).toEqual(["get_message", "get_product", "redeem_handoff", "search_products", ...enabled].sort());
    const add = tools.find((t) => t.name === "add_to_cart")!;
    expect(add.title).toBe(actions.data.find((a) => a.key === "add_to_cart")!.label);
    expect(add.inputSchema).toMatchObject({
      type: "object",
      properties: { sku: { type: "string" }, quantity: { type: "integer" } },
      required: ["sku"],
    });
    expect(add.inputSchema.additionalProperties).toBe(false);
    expect(add.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(tools.find((t) => t.name === "view_cart")!.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    expect(tools.find((t) => t.name === "remove_from_cart")!.annotations).toMatchObject({ destructiveHint: true });
    expect(add.outputSchema).toMatchObject({ type: "object" });
    await client.close();
  });

  it("search_products and get_product show the web page's facts; add_to_cart and view_cart act on one agent customer", async () => {
    const client = await connect(admin);
    const found = await client.callTool({ name: "search_products", arguments: { q: "merino" } });
    expect(found.isError).toBeFalsy();
    const data = (found.structuredContent as { data: { slug: string }[] }).data;
    expect(data.map((p) => p.slug)).toContain("merino-crew-sweater");
    expect(textOf(found)).toContain('`view_product` `{"slug":"merino-crew-sweater"}`');

    const product = await client.callTool({ name: "get_product", arguments: { slug: "merino-crew-sweater", locale: "fr" } });
    const view = product.structuredContent as { title: string; price: { formatted: string }; variants: { sku: string }[] };
    const page = await (await call("/products/merino-crew-sweater?locale=fr")).text();
    const agentText = textOf(product);
    // The same title and price as the web page, written once by the view model.
    expect(page).toContain(view.title);
    expect(page).toContain(view.price.formatted);
    expect(agentText).toContain(`# ${view.title}`);
    expect(agentText).toContain(view.price.formatted);
    const rest = await (await call("/v1/products/merino-crew-sweater?locale=fr")).json();
    expect(product.structuredContent).toEqual(rest);

    const sku = "MER-CRE-SWE-S-NAVY";
    const meta = { "unison/identity": "mcp-test-conversation-1" };
    const added = await client.callTool({ name: "add_to_cart", arguments: { sku, quantity: 2 }, _meta: meta });
    expect(added.isError, textOf(added)).toBeFalsy();
    const cart = (added.structuredContent as { result: { cart: { lines: { sku: string; quantity: number }[] } } }).result.cart;
    expect(cart.lines).toEqual([expect.objectContaining({ sku, quantity: 2 })]);
    expect(textOf(added)).toContain("`checkout`");
    const viewed = await client.callTool({ name: "view_cart", arguments: {}, _meta: meta });
    const customer = (added.structuredContent as { customer: string }).customer;
    expect((viewed.structuredContent as { customer: string }).customer).toBe(customer);
    expect(textOf(viewed)).toContain("×2");

    // The same customer on REST: the cart an agent filled, and its timeline says the agent did it.
    const restCart: any = await (await call(`/v1/customers/${customer}/cart`, { headers: { authorization: `Bearer ${admin}` } })).json();
    expect(restCart.lines[0]).toMatchObject({ sku, quantity: 2 });
    const timeline: any = await (
      await call(`/v1/customers/${customer}/timeline`, { headers: { authorization: `Bearer ${admin}` } })
    ).json();
    expect(timeline.data.some((e: { channel: string; actionKey?: string }) => e.channel === "agent")).toBe(true);
    await client.close();
  });

  it("replays a retried call with the same idempotency key, and validates input with the action's own schema", async () => {
    const client = await connect(admin);
    const meta = { "unison/identity": "mcp-test-conversation-2", "unison/idempotency-key": "retry-1" };
    const first = await client.callTool({ name: "add_to_cart", arguments: { sku: "ENA-MUG-WHITE" }, _meta: meta });
    const again = await client.callTool({ name: "add_to_cart", arguments: { sku: "ENA-MUG-WHITE" }, _meta: meta });
    expect(again.structuredContent).toEqual(first.structuredContent);
    expect((again.structuredContent as any).result.cart.lines[0].quantity).toBe(1);
    const bad = await client.callTool({ name: "add_to_cart", arguments: { sku: "ENA-MUG-WHITE", price: 0 } });
    expect(bad.isError).toBe(true);
    const unknown = await client.callTool({ name: "get_product", arguments: { slug: "no-such-thing" } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe('not_found: No published product with slug "no-such-thing".');
    await client.close();
  });

  it("refuses action tools without actions:invoke as tool errors (no data), while reading stays public", async () => {
    const anonymous = await connect();
    const read = await anonymous.callTool({ name: "get_product", arguments: { slug: "enamel-mug" } });
    expect(read.isError).toBeFalsy();
    const refused = await anonymous.callTool({ name: "view_cart", arguments: {} });
    expect(refused).toMatchObject({ isError: true });
    expect(textOf(refused)).toBe('unauthorized: This tool needs an API key with the "actions:invoke" scope.');
    await anonymous.close();
    const reader = await connect(await keyWith("catalog:read"));
    const alsoRefused = await reader.callTool({ name: "add_to_cart", arguments: { sku: "ENA-MUG-WHITE" } });
    expect(alsoRefused.isError).toBe(true);
    expect(alsoRefused.structuredContent).toBeUndefined();
    await reader.close();
  });

  it("serves products and messages as resources in the caller's locale", async () => {
    const client = await connect(undefined, { "accept-language": "fr" });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain("unison://products/merino-crew-sweater");
    expect(resources.map((r) => r.uri)).toContain("unison://messages/free_shipping");
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(["unison://messages/{key}", "unison://products/{slug}"]);
    const read = await client.readResource({ uri: "unison://products/merino-crew-sweater" });
    expect(read.contents[0]).toMatchObject({ mimeType: "text/markdown" });
    expect((read.contents[0] as { text: string }).text).toContain("# Pull col rond en mérinos");
    await client.close();
  });

  it("refuses a foreign Host or Origin (DNS rebinding) and GET streams, before any JSON-RPC", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    const post = (headers: Record<string, string>) =>
      call("/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify(init),
      });
    expect((await post({ origin: "http://evil.example.com" })).status).toBe(403);
    expect((await post({})).status).toBe(200);
    const get = await call("/mcp", { headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("journey: starts on SMS, an MCP agent joins with a handoff code, checks out, and the order is on the web and the timeline", async () => {
    const phone = "+33612340016";
    const sms = (key: string, input: Record<string, unknown>) =>
      call(`/v1/actions/${key}`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ channel: "sms", identity: { channel: "sms", externalId: phone }, input }),
      }).then(async (r) => {
        expect(r.status, await r.clone().text()).toBe(200);
        return (await r.json()) as { customer: string; result: any };
      });
    const started = await sms("add_to_cart", { sku: "ENA-MUG-WHITE", quantity: 3 });
    const { handoff } = (await sms("handoff", { to: "agent" })).result;

    const agent = await connect(admin);
    const meta = { "unison/identity": "journey-agent-1" };
    const joined = await agent.callTool({ name: "redeem_handoff", arguments: { code: handoff.code }, _meta: meta });
    expect(joined.isError, textOf(joined)).toBeFalsy();
    expect((joined.structuredContent as { customer: string }).customer).toBe(started.customer);
    expect(textOf(joined)).toContain("ENA-MUG-WHITE");
    const placed = await agent.callTool({ name: "checkout", arguments: {}, _meta: meta });
    expect(placed.isError, textOf(placed)).toBeFalsy();
    const order = (placed.structuredContent as { customer: string; result: { order: { number: string; lines: unknown[] } } }).result.order;
    expect((placed.structuredContent as { customer: string }).customer).toBe(started.customer);
    expect(textOf(placed)).toContain(order.number);

    // The agent hands the customer to the web: the same order, on the storefront's order page.
    const toWeb = await agent.callTool({ name: "handoff", arguments: { to: "web" }, _meta: meta });
    const webCode = (toWeb.structuredContent as { result: { handoff: { code: string } } }).result.handoff.code;
    // Opening the link shows what continuing does; its button (a same-origin POST) links the browser.
    const shown = await call(`/h/${webCode}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(`action="${server.url}/h/${webCode}"`);
    const opened = await call(`/h/${webCode}`, { method: "POST", headers: { origin: server.url }, redirect: "manual" });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.getSetCookie().find((c) => c.startsWith("unison_session=")) ?? "").split(";")[0]!;
    expect(cookie).toMatch(/=/);
    const page = await call(`/orders/${order.number}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(order.number);

    const auth = { authorization: `Bearer ${admin}` };
    const orders: any = await (await call(`/v1/customers/${started.customer}/orders`, { headers: auth })).json();
    expect(orders.data.map((o: { number: string }) => o.number)).toEqual([order.number]);
    const timeline: any = await (await call(`/v1/customers/${started.customer}/timeline?limit=100`, { headers: auth })).json();
    const channels = new Set(timeline.data.map((e: { channel: string }) => e.channel));
    expect([...channels].sort()).toEqual(expect.arrayContaining(["agent", "sms", "web"]));
    await agent.close();
  });
  it("journey: starts on SMS, an MCP agent joins with a handoff code, completes an ACP checkout session: one customer, one cart, one order", async () => {
    const phone = "+33612340017";
    const auth = { authorization: `Bearer ${admin}` };
    const sms = (key: string, input: Record<string, unknown>) =>
      fetch(`${server.url}/v1/actions/${key}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ channel: "sms", identity: { channel: "sms", externalId: phone }, input }),
      }).then(async (r) => {
        expect(r.status, await r.clone().text()).toBe(200);
        return (await r.json()) as { customer: string; result: any };
      });
    const started = await sms("add_to_cart", { sku: "ENA-MUG-BLUE", quantity: 1 });
    const { handoff } = (await sms("handoff", { to: "agent" })).result;

    // The MCP client joins the SMS customer with the code…
    const agent = await connect(admin);
    const meta = { "unison/identity": "journey-acp-agent" };
    const joined = await agent.callTool({ name: "redeem_handoff", arguments: { code: handoff.code }, _meta: meta });
    expect((joined.structuredContent as { customer: string }).customer).toBe(started.customer);

    // …and checks out over ACP as the same agent identity: the session is that customer's cart.
    const acp = (path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          ...auth,
          "api-version": "2026-04-17",
          "unison-agent-identity": "journey-acp-agent",
          ...(body === undefined ? {} : { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => {
        expect(r.status, await r.clone().text()).toBeLessThan(300);
        return (await r.json()) as any;
      });
    const address = { name: "Ana Silva", line_one: "12 rue des Pins", city: "Paris", state: "IDF", country: "FR", postal_code: "75011" };
    const session = await acp("/checkout_sessions", {
      line_items: [{ id: "BEE-CAN" }],
      currency: "eur",
      fulfillment_details: { name: "Ana Silva", email: "ana@example.com", address },
    });
    expect(session.line_items.map((l: { sku: string }) => l.sku)).toEqual(["ENA-MUG-BLUE", "BEE-CAN"]);
    const cart = await agent.callTool({ name: "view_cart", arguments: {}, _meta: meta });
    const cartLines = (cart.structuredContent as { result: { cart: { lines: { sku: string }[] } } }).result.cart.lines;
    expect(cartLines.map((l) => l.sku)).toEqual(["ENA-MUG-BLUE", "BEE-CAN"]);
    expect(session.status).toBe("ready_for_payment");
    const done = await acp(`/checkout_sessions/${session.id}/complete`, {
      payment_data: {
        handler_id: "unison_test",
        instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
      },
    });
    expect(done.status).toBe("completed");
    const number = done.order.id;

    // One customer (SMS and agent identities), one cart (now empty), one order, on the web and the timeline.
    const customer: any = await (await fetch(`${server.url}/v1/customers/${started.customer}`, { headers: auth })).json();
    expect(customer.identities.map((i: { channel: string }) => i.channel).sort()).toEqual(["agent", "sms"]);
    const orders: any = await (await fetch(`${server.url}/v1/customers/${started.customer}/orders`, { headers: auth })).json();
    expect(orders.data.map((o: { number: string; channel: string }) => [o.number, o.channel])).toEqual([[number, "agent"]]);
    const after = await agent.callTool({ name: "view_cart", arguments: {}, _meta: meta });
    expect((after.structuredContent as { result: { cart: { lines: unknown[] } } }).result.cart.lines).toEqual([]);
    const toWeb = await agent.callTool({ name: "handoff", arguments: { to: "web" }, _meta: meta });
    const webCode = (toWeb.structuredContent as { result: { handoff: { code: string } } }).result.handoff.code;
    expect((await fetch(`${server.url}/h/${webCode}`)).status).toBe(200);
    const opened = await fetch(`${server.url}/h/${webCode}`, { method: "POST", headers: { origin: server.url }, redirect: "manual" });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.getSetCookie().find((c) => c.startsWith("unison_session=")) ?? "").split(";")[0]!;
    const page = await fetch(`${server.url}/orders/${number}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(number);
    const timeline: any = await (
      await fetch(`${server.url}/v1/customers/${started.customer}/timeline?limit=100`, { headers: auth })
    ).json();
    const entries = timeline.data as { channel: string; action: string | null; summary: string }[];
    expect(entries.some((e) => e.channel === "sms" && e.action === "add_to_cart")).toBe(true);
    expect(entries.some((e) => e.channel === "agent" && e.action === "checkout" && e.summary.includes(number))).toBe(true);
    await agent.close();
  });
});
