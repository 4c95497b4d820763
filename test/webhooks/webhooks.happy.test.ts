/**
 * Outbound webhooks (docs/architecture.md, "Outbound webhooks") end to end on a SQLite database: the
 * editors' API, the audit-log trigger, the dispatcher, and a real HTTP receiver
 * on loopback. Signatures are checked with the `standardwebhooks` package, the
 * reference implementation of the spec, as a receiver would check them.
 */
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DELIVERY_RETENTION_DAYS, dispatchWebhooks, RETRY_DELAYS_SECONDS } from "../../src/webhooks/dispatch";
import { createTestApp, expectStatus, type TestApp } from "../helpers/app";
import { productDoc } from "../helpers/db";
import { type Receiver, startReceiver } from "./receiver";

let receiver: Receiver;
let t: TestApp;
let admin: { authorization: string };
let clock: Date;

beforeEach(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ config: { WEBHOOK_ALLOW_HOSTS: "127.0.0.1" } });
  admin = await t.auth("admin");
  clock = new Date("2026-12-01T10:00:00Z");
});
afterEach(() => receiver.close());

const tick = () => dispatchWebhooks(t.db, { now: () => clock, baseUrl: "https://shop.example", allowHosts: ["127.0.0.1"] });
const later = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

async function subscribe(events: string[] = ["*"], path = "/hook") {
  const res = await t.request("POST", "/v1/admin/webhooks", { body: { url: `${receiver.url}${path}`, events }, headers: admin });
  expect(res.headers.get("etag")).toBe('"v1"');
  return (await expectStatus(res, 201)) as { endpoint: { id: string }; secret: string };
}

async function publishProduct(slug: string) {
  const editor = await t.auth("catalog:write", "catalog:publish");
  const created = await expectStatus(await t.request("POST", "/v1/admin/products", { body: productDoc(slug), headers: editor }), 201);
  await expectStatus(
    await t.request("POST", `/v1/admin/products/${slug}/publish`, { headers: { ...editor, "if-match": `"v${created.version}"` } }),
    200,
  );
  return { editor, version: created.version + 1 };
}

const deliveries = async (id: string) =>
  (await expectStatus(await t.request("GET", `/v1/admin/webhooks/${id}/deliveries`, { headers: admin }), 200)).data as {
    id: string;
    type: string;
    status: string;
    attempts: number;
    nextAttemptAt: string | null;
    lastStatus: number | null;
    lastError: string | null;
  }[];

describe("outbound webhooks", () => {
  it("a publish reaches the endpoint once, signed so a Standard Webhooks library verifies it", async () => {
    const { endpoint, secret } = await subscribe(["product.published"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const { editor, version } = await publishProduct("wool-hat");
    expect(await tick()).toMatchObject({ queued: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    expect(hit!.path).toBe("/hook");
    expect(hit!.headers["content-type"]).toBe("application/json");
    const headers = {
      "webhook-id": String(hit!.headers["webhook-id"]),
      "webhook-timestamp": String(hit!.headers["webhook-timestamp"]),
      "webhook-signature": String(hit!.headers["webhook-signature"]),
    };
    const wh = new Webhook(secret);
    // The library refuses timestamps more than 5 minutes from its own clock; the tick ran at `clock`.
    const realNow = Date.now;
    Date.now = () => clock.getTime();
    try {
      const event = wh.verify(hit!.body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(event.type).toBe("product.published");
      expect(event.data).toMatchObject({
        entity: "product",
        key: "wool-hat",
        revision: 1,
        url: "https://shop.example/v1/products/wool-hat",
      });
      expect(() => wh.verify(`${hit!.body} `, headers)).toThrow();
      expect(() => new Webhook(`whsec_${btoa("another secret, 24 bytes")}`).verify(hit!.body, headers)).toThrow();
    } finally {
      Date.now = realNow;
    }
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({
      id: headers["webhook-id"],
      type: "product.published",
      status: "delivered",
      attempts: 1,
      lastStatus: 200,
    });

    // Nothing is sent twice, and an event the endpoint did not subscribe to is not sent at all.
    expect(await tick()).toMatchObject({ queued: 0, delivered: 0 });
    await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/unpublish", { headers: { ...editor, "if-match": `"v${version}"` } }),
      200,
    );
    await tick();
    expect(receiver.received).toHaveLength(1);
  });

  it("sends one endpoint's deliveries oldest first, one at a time; a failure holds the newer ones until the next tick", async () => {
    await subscribe(["product.published"]);
    const keys = () => receiver.received.map((r) => JSON.parse(r.body).data.key);
    for (const slug of ["order-a", "order-b", "order-c"]) await publishProduct(slug);
    await tick();
    expect(keys()).toEqual(["order-a", "order-b", "order-c"]);
    receiver.received.length = 0;
    receiver.answer(200, 500, 200);
    for (const slug of ["order-d", "order-e", "order-f"]) await publishProduct(slug);
    await tick();
    // order-e failed: order-f was not sent ahead of it.
    expect(keys()).toEqual(["order-d", "order-e"]);
    later(5);
    await tick();
    expect(keys()).toEqual(["order-d", "order-e", "order-e", "order-f"]);
  });

  it("retries with the same webhook-id on the spec's back-off, and the eighth failure is final", async () => {
    const { endpoint } = await subscribe();
    receiver.answer(500, 502, 200);
    await expectStatus(await t.request("POST", `/v1/admin/webhooks/${endpoint.id}/test`, { headers: admin }), 202);
    await tick();
    let [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, nextAttemptAt: "2026-12-01T10:00:05.000Z" });
    later(4);
    await tick();
    expect(receiver.received).toHaveLength(1);
    later(1);
    await tick();
    [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: "pending", attempts: 2, lastStatus: 502, nextAttemptAt: "2026-12-01T10:05:05.000Z" });
    later(300);
    await tick();
    [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200 });
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids).toEqual(new Set([d!.id]));
    expect(new Set(receiver.received.map((r) => r.headers["webhook-timestamp"])).size).toBe(3);

    receiver.received.length = 0;
    receiver.answer(503);
    await t.request("POST", `/v1/admin/webhooks/${endpoint.id}/test`, { headers: admin });
    await tick();
    for (const delay of RETRY_DELAYS_SECONDS) {
      later(delay);
      await tick();
    }
    expect(receiver.received).toHaveLength(RETRY_DELAYS_SECONDS.length + 1);
    [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: "failed", attempts: 8, lastStatus: 503, nextAttemptAt: null });
    later(86_400);
    await tick();
    expect(receiver.received).toHaveLength(8);
  });

  it("410 Gone turns the endpoint off; a redirect is not followed", async () => {
    const gone = await subscribe(["*"], "/gone");
    receiver.answer(410);
    await t.request("POST", `/v1/admin/webhooks/${gone.endpoint.id}/test`, { headers: admin });
    await tick();
    const off = await expectStatus(await t.request("GET", `/v1/admin/webhooks/${gone.endpoint.id}`, { headers: admin }), 200);
    expect(off).toMatchObject({ enabled: false, disabledReason: "The receiver answered 410 Gone.", version: 2 });
    expect((await deliveries(gone.endpoint.id))[0]).toMatchObject({ status: "abandoned", lastStatus: 410 });
    // With no endpoint enabled, changes queue nothing.
    await publishProduct("wool-hat");
    expect(await tick()).toMatchObject({ queued: 0 });
    expect(await deliveries(gone.endpoint.id)).toHaveLength(1);

    const moved = await subscribe(["*"], "/moved");
    receiver.received.length = 0;
    receiver.answer({ status: 307, headers: { location: `${receiver.url}/elsewhere` } });
    await t.request("POST", `/v1/admin/webhooks/${moved.endpoint.id}/test`, { headers: admin });
    await tick();
    expect(receiver.received.map((r) => r.path)).toEqual(["/moved"]);
    expect((await deliveries(moved.endpoint.id))[0]).toMatchObject({
      status: "pending",
      lastStatus: 307,
      lastError: "Redirect (307) not followed.",
    });
  });

  it("keeps finished deliveries for 30 days, and pending ones however old", async () => {
    clock = new Date(t.now); // deliveries are created on the app's clock
    const { endpoint } = await subscribe();
    receiver.answer(200);
    await t.request("POST", `/v1/admin/webhooks/${endpoint.id}/test`, { headers: admin });
    await tick();
    receiver.answer(500);
    later(DELIVERY_RETENTION_DAYS * 86_400 - 60);
    await t.request("POST", `/v1/admin/webhooks/${endpoint.id}/test`, { headers: admin });
    await tick();
    expect((await deliveries(endpoint.id)).map((d) => d.status)).toEqual(["pending", "delivered"]);
    later(120);
    await tick();
    expect((await deliveries(endpoint.id)).map((d) => d.status)).toEqual(["pending"]);
  });

  it("a stock move that changes a product's availability is an event; one that does not change it is not", async () => {
    await subscribe(["product.availability_changed"]);
    const { editor } = await publishProduct("wool-hat");
    const setStock = async (stock: number) => {
      const inv = await t.request("GET", "/v1/admin/inventory/WOOL-HAT-M", { headers: editor });
      await expectStatus(
        await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", {
          body: { stock },
          headers: { ...editor, "if-match": inv.headers.get("etag")! },
        }),
        200,
      );
    };
    // Published without stock: out of stock. Restocking changes that once; the same stock again changes nothing.
    await setStock(40);
    await setStock(40);
    await tick();
    expect(receiver.received).toHaveLength(1);
    const event = JSON.parse(receiver.received[0]!.body);
    expect(event).toMatchObject({
      type: "product.availability_changed",
      data: { key: "wool-hat", availability: "in_stock", previous: "out_of_stock", url: "https://shop.example/v1/products/wool-hat" },
    });
    await setStock(0);
    await tick();
    expect(receiver.received.map((r) => JSON.parse(r.body).data.availability)).toEqual(["in_stock", "out_of_stock"]);
  });

  it("a refused publish queues no event: events are written with the change, in its transaction", async () => {
    await subscribe();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const created = await expectStatus(
      await t.request("POST", "/v1/admin/products", { body: productDoc("wool-hat"), headers: editor }),
      201,
    );
    const stale = await t.request("POST", "/v1/admin/products/wool-hat/publish", {
      headers: { ...editor, "if-match": `"v${created.version + 5}"` },
    });
    expect(stale.status).toBe(412);
    expect(await tick()).toMatchObject({ queued: 0 });
    expect(receiver.received).toHaveLength(0);
  });
});

describe("sending only where it is safe", () => {
  it("refuses targets that are not https to a public address, and changes nothing", async () => {
    const strict = await createTestApp();
    const key = await strict.auth("admin");
    for (const url of [
      "http://hooks.partner.example/unison",
      "https://10.0.0.5/hook",
      "https://127.0.0.1/hook",
      "https://[::1]/hook",
      "https://[fd00::1]/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://localhost/hook",
      "https://user:secret@hooks.partner.example/",
    ]) {
      const res = await strict.request("POST", "/v1/admin/webhooks", { body: { url }, headers: key });
      expect(res.status, url).toBe(422);
      const problem = (await res.json()) as { code: string; errors: { pointer: string }[] };
      expect(problem.code).toBe("webhook_target_refused");
      expect(problem.errors[0]!.pointer).toBe("/url");
    }
    const list = await expectStatus(await strict.request("GET", "/v1/admin/webhooks", { headers: key }), 200);
    expect(list.data).toEqual([]);
    const ok = await strict.request("POST", "/v1/admin/webhooks", { body: { url: "https://hooks.partner.example/unison" }, headers: key });
    expect(ok.status).toBe(201);
  });

  it("refuses at send time a public name that resolves to a private address, without connecting", async () => {
    const strict = await createTestApp();
    const key = await strict.auth("admin");
    const { endpoint } = await expectStatus(
      await strict.request("POST", "/v1/admin/webhooks", { body: { url: "https://rebound.partner.example/hook" }, headers: key }),
      201,
    );
    await strict.request("POST", `/v1/admin/webhooks/${endpoint.id}/test`, { headers: key });
    const report = await dispatchWebhooks(strict.db, {
      now: () => new Date(),
      baseUrl: "https://shop.example",
      allowHosts: [],
      resolveHost: async () => ["93.184.215.14", "10.1.2.3"],
    });
    expect(report.retrying).toBe(1);
    const { data } = await expectStatus(await strict.request("GET", `/v1/admin/webhooks/${endpoint.id}/deliveries`, { headers: key }), 200);
    expect(data[0]).toMatchObject({
      status: "pending",
      lastStatus: null,
      lastError: "rebound.partner.example resolves to 10.1.2.3, which is not a public address.",
    });
  });
});

describe("the webhooks API", () => {
  it("needs the admin scope, If-Match on writes, and answers 404 for an unknown endpoint", async () => {
    const editor = await t.auth("catalog:write", "catalog:publish");
    expect((await t.request("GET", "/v1/admin/webhooks", { headers: editor })).status).toBe(403);
    expect((await t.request("GET", "/v1/admin/webhooks")).status).toBe(401);
    const { endpoint } = await subscribe(["product.published"]);

    const patch = { events: ["product.published", "message.published"], description: "Search index" };
    const bare = await t.request("PATCH", `/v1/admin/webhooks/${endpoint.id}`, { body: patch, headers: admin });
    expect(bare.status).toBe(428);
    const updated = await t.request("PATCH", `/v1/admin/webhooks/${endpoint.id}`, {
      body: patch,
      headers: { ...admin, "if-match": '"v1"' },
    });
    expect(await expectStatus(updated, 200)).toMatchObject({ version: 2, events: patch.events, description: "Search index" });
    expect(updated.headers.get("etag")).toBe('"v2"');
    const stale = await t.request("PATCH", `/v1/admin/webhooks/${endpoint.id}`, {
      body: { enabled: false },
      headers: { ...admin, "if-match": '"v1"' },
    });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as { currentVersion: number }).currentVersion).toBe(2);
    const badUrl = await t.request("PATCH", `/v1/admin/webhooks/${endpoint.id}`, {
      body: { url: "https://192.168.1.10/hook" },
      headers: { ...admin, "if-match": '"v2"' },
    });
    expect(badUrl.status).toBe(422);
    expect((await expectStatus(await t.request("GET", `/v1/admin/webhooks/${endpoint.id}`, { headers: admin }), 200)).version).toBe(2);

    const listed = await expectStatus(await t.request("GET", "/v1/admin/webhooks", { headers: admin }), 200);
    expect(listed.data.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);
    expect(JSON.stringify(listed)).not.toContain("whsec_");

    expect((await t.request("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: admin })).status).toBe(428);
    expect((await t.request("DELETE", `/v1/admin/webhooks/${endpoint.id}`, { headers: { ...admin, "if-match": '"v2"' } })).status).toBe(
      200,
    );
    expect((await t.request("GET", `/v1/admin/webhooks/${endpoint.id}`, { headers: admin })).status).toBe(404);
    expect((await t.request("POST", "/v1/admin/webhooks/wh_nope/test", { headers: admin })).status).toBe(404);
    const invalid = await t.request("POST", "/v1/admin/webhooks", {
      body: { url: `${receiver.url}/x`, events: ["product.sold"] },
      headers: admin,
    });
    expect(invalid.status).toBe(400);
  });
});
