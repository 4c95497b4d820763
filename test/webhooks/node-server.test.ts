/**
 * The Node entry sends webhooks on its own: `serve()` ticks every
 * `WEBHOOK_INTERVAL_MS`, so a test event queued over HTTP reaches a real
 * receiver without anyone calling the dispatcher; `close()` stops the ticks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { serve } from "../../src/node";
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
    const created = await fetch(`${server.url}/v1/admin/webhooks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ url: `${receiver.url}/hook` }),
    });
    expect(created.status).toBe(201);
    const { endpoint } = (await created.json()) as { endpoint: { id: string } };
    const queued = await fetch(`${server.url}/v1/admin/webhooks/${endpoint.id}/test`, { method: "POST", headers });
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
