/**
 * The Node entry sends on its own: `serve()` ticks every `WEBHOOK_INTERVAL_MS`,
 * so a webhook test event, or a WhatsApp reply, queued over HTTP reaches a real
 * receiver without anyone calling the senders; `close()` stops the ticks.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { serve } from "../../src/node";
import { checkedFetch } from "../helpers/contract";
import { startReceiver } from "./receiver";

it("serve() delivers a queued webhook within a few ticks", async () => {
  const dir = mkdtempSync(join(tmpdir(), "unison-webhooks-node-"));
  const receiver = await startReceiver();
  const printed: string[] = [];
  const server = await serve({
    port: 0,
    dbPath: join(dir, "shop.db"),
    env: { DEMO_JOURNEYS: "false", LOG_REQUESTS: "false", WEBHOOK_ALLOW_HOSTS: "127.0.0.1", WEBHOOK_INTERVAL_MS: "50" },
    print: (line) => printed.push(line),
  });
  try {
    const key = /unison_sk_\w+/.exec(printed.join("\n"))?.[0];
    expect(key).toBeDefined();
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const created = await checkedFetch(server.url)("/v1/admin/webhooks", {
      method: "POST",
      headers,
      body: JSON.stringify({ url: `${receiver.url}/hook` }),
    });
    expect(created.status).toBe(201);
    const { endpoint } = (await created.json()) as { endpoint: { id: string } };
    const queued = await checkedFetch(server.url)(`/v1/admin/webhooks/${endpoint.id}/test`, { method: "POST", headers });
    expect(queued.status).toBe(202);
    const { deliveryId } = (await queued.json()) as { deliveryId: string };
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([deliveryId]);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: "webhook.test", data: { endpoint: endpoint.id } });
  } finally {
    await server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("serve() sends a WhatsApp reply through the Cloud API after answering the webhook", async () => {
  const dir = mkdtempSync(join(tmpdir(), "unison-replies-node-"));
  const receiver = await startReceiver();
  const server = await serve({
    port: 0,
    dbPath: join(dir, "shop.db"),
    env: {
      DEMO_JOURNEYS: "false",
      LOG_REQUESTS: "false",
      WEBHOOK_INTERVAL_MS: "50",
      WHATSAPP_APP_SECRET: "meta-app-secret-123",
      WHATSAPP_ACCESS_TOKEN: "EAAG-test-access-token",
      WHATSAPP_GRAPH_URL: `${receiver.url}/v21.0`,
    },
    print: () => {},
  });
  try {
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: {
                metadata: { phone_number_id: "106540352242922" },
                messages: [{ from: "4790001111", id: "wamid.S1", type: "text", text: { body: "MENU" } }],
              },
            },
          ],
        },
      ],
    });
    const res = await checkedFetch(server.url)("/v1/inbound/chat/whatsapp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", "meta-app-secret-123").update(body).digest("hex")}`,
      },
      body,
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received.map((r) => r.path)).toEqual(["/v21.0/106540352242922/messages"]);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ to: "4790001111", messaging_product: "whatsapp" });
  } finally {
    await server.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the outbound ticks write nothing when there is nothing to send, so they never empty the response cache", async () => {
  const dir = mkdtempSync(join(tmpdir(), "unison-ticks-cache-"));
  const server = await serve({
    port: 0,
    dbPath: join(dir, "shop.db"),
    env: { DEMO_JOURNEYS: "false", LOG_REQUESTS: "false", WEBHOOK_INTERVAL_MS: "20" },
    print: () => {},
  });
  try {
    const url = "/v1/products/alpaca-cardigan";
    const fetch = checkedFetch(server.url);
    const status = async () => {
      const res = await fetch(url);
      await res.text();
      return res.headers.get("cache-status");
    };
    expect(await status()).toBe("unison; fwd=uri-miss; stored");
    await new Promise((r) => setTimeout(r, 300)); // a dozen ticks
    expect(await status()).toBe("unison; hit");
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
