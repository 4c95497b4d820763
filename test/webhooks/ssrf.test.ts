/**
 * SSRF through other spellings of an address (issue #13, defect 1). Every way of
 * writing a loopback, private, link-local, reserved or otherwise non-public
 * destination — IPv4 in decimal, octal, hex and short forms, IPv6, IPv4-mapped,
 * translated, NAT64, 6to4, and host names that are not public DNS names — is
 * refused at registration (422 on /url), at send time, and at connect time; a
 * real loopback listener sees no connection. Hosts on WEBHOOK_ALLOW_HOSTS still
 * get through.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookEndpoints } from "../../src/db/schema";
import { publicOnlyFetch } from "../../src/node";
import { hostProblem, isPublicAddress } from "../../src/webhooks/address";
import { dispatchWebhooks, queueTestEvent } from "../../src/webhooks/dispatch";
import { createTestApp, expectStatus } from "../helpers/app";

/** Hosts (as written in a URL) that must never receive a webhook. */
const REFUSED = [
  // IPv4, the usual form
  "127.0.0.1",
  "127.255.255.254",
  "0.0.0.0",
  "10.0.0.1",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "169.254.169.254",
  "100.64.0.1",
  "192.0.0.8",
  "192.0.2.1",
  "198.18.0.1",
  "198.51.100.7",
  "203.0.113.9",
  "224.0.0.1",
  "240.0.0.1",
  "255.255.255.255",
  // IPv4, other spellings the URL parser normalises
  "2130706433",
  "0x7f000001",
  "0x7f.1",
  "127.1",
  "127.0.1",
  "0177.0.0.1",
  "0",
  "017700000001",
  "0x0a.0.0.1",
  "3232235777",
  // IPv6
  "[::1]",
  "[::]",
  "[0:0:0:0:0:0:0:1]",
  "[fe80::1]",
  "[fc00::1]",
  "[fd12:3456:789a::1]",
  "[ff02::1]",
  "[fec0::1]",
  "[2001:db8::1]",
  "[100::1]",
  "[2001::1]",
  // IPv4 inside IPv6: mapped, compatible, translated, NAT64, 6to4
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[0:0:0:0:0:ffff:127.0.0.1]",
  "[::ffff:10.0.0.1]",
  "[::ffff:169.254.169.254]",
  "[::127.0.0.1]",
  "[::ffff:0:127.0.0.1]",
  "[64:ff9b::127.0.0.1]",
  "[64:ff9b::a00:1]",
  "[64:ff9b:1::7f00:1]",
  "[2002:7f00:1::]",
  "[2002:a00:1::1]",
  // Host names that are not public DNS names
  "localhost",
  "LOCALHOST",
  "localhost.",
  "LocalHost.",
  "api.localhost",
  "a.b.localhost.",
  "intranet",
  "metadata",
  "printer.local",
  "db.internal",
  "router.home.arpa",
  "1.0.0.127.in-addr.arpa",
  "hooks.partner.example.",
  "x.onion",
];

/** Public destinations that must still be accepted (so the refusals above are the check, not a blanket no). */
const ACCEPTED = ["hooks.partner.example", "8.8.8.8", "[2606:4700:4700::1111]", "[::ffff:8.8.8.8]", "api.stripe.com", "1.1.1.1"];

describe("registration", () => {
  it(`refuses ${REFUSED.length} spellings of non-public destinations with 422 on /url, and stores none`, async () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
    const t = await createTestApp();
    const admin = await t.auth("admin");
    const accepted: string[] = [];
    for (const host of REFUSED) {
      const res = await t.request("POST", "/v1/admin/webhooks", { body: { url: `https://${host}/hook`, events: ["*"] }, headers: admin });
      if (res.status !== 422) {
        accepted.push(`${host} → ${res.status}`);
        continue;
      }
      const problem = (await res.json()) as { code: string; errors: { pointer: string }[] };
      expect(problem.code, host).toBe("webhook_target_refused");
      expect(problem.errors[0]!.pointer, host).toBe("/url");
    }
    expect(accepted).toEqual([]);
    expect(await t.db.orm.select().from(webhookEndpoints)).toEqual([]);
  });

  it("accepts public addresses and names", async () => {
    const t = await createTestApp();
    const admin = await t.auth("admin");
    for (const host of ACCEPTED) {
      await expectStatus(await t.request("POST", "/v1/admin/webhooks", { body: { url: `https://${host}/hook` }, headers: admin }), 201);
    }
  });

  it("refuses the same spellings on PATCH, and lets WEBHOOK_ALLOW_HOSTS through", async () => {
    const t = await createTestApp({ config: { WEBHOOK_ALLOW_HOSTS: "127.0.0.1,localhost" } });
    const admin = await t.auth("admin");
    const { endpoint } = await expectStatus(
      await t.request("POST", "/v1/admin/webhooks", { body: { url: "http://127.0.0.1:9/hook" }, headers: admin }),
      201,
    );
    await expectStatus(await t.request("POST", "/v1/admin/webhooks", { body: { url: "http://localhost:9/hook" }, headers: admin }), 201);
    const res = await t.request("PATCH", `/v1/admin/webhooks/${endpoint.id}`, {
      body: { url: "https://[::ffff:10.0.0.1]/hook" },
      headers: { ...admin, "content-type": "application/merge-patch+json", "if-match": '"v1"' },
    });
    expect(res.status).toBe(422);
  });
});

describe("the classification", () => {
  it("treats addresses as public only when global unicast, after unwrapping embedded IPv4", () => {
    for (const a of ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]) {
      expect(isPublicAddress(a), a).toBe(true);
    }
    for (const a of ["127.0.0.1", "::1", "::ffff:7f00:1", "fe80::1%eth0", "not-an-address", "", "127.1", "2001:db8::1"]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    expect(hostProblem("hooks.partner.example")).toBeNull();
    expect(hostProblem("localhost.")).toMatch(/not a public host name/);
  });
});

describe("a real loopback listener", () => {
  let listener: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  /** Loopback spellings that reach 127.0.0.1 when connected to. */
  const LOOPBACK = [
    "127.0.0.1",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "2130706433",
    "0x7f.1",
    "127.1",
    "0177.0.0.1",
    "localhost",
    "localhost.",
  ];

  it("sees 0 connections from the connect-time check, for literals and names alike", async () => {
    const fetchPublic = publicOnlyFetch([]);
    for (const host of LOOPBACK) {
      const error = await fetchPublic(`http://${host}:${port}/hook`, { method: "POST", body: "{}" }).catch((e: unknown) => e);
      expect(error, host).toBeInstanceOf(TypeError);
      expect(String((error as { cause?: unknown }).cause), host).toMatch(/not a public/);
    }
    expect(connections).toBe(0);
  });

  it("sees 0 connections when endpoints stored with these spellings are sent to", async () => {
    const t = await createTestApp();
    const at = t.now.toISOString();
    for (const [i, host] of LOOPBACK.entries()) {
      const id = `wh_ssrf${i}`;
      await t.db.orm.insert(webhookEndpoints).values({
        id,
        url: `https://${host}:${port}/hook`,
        description: null,
        events: '["*"]',
        secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        enabled: true,
        disabledReason: null,
        version: 1,
        createdAt: at,
        updatedAt: at,
      });
      await queueTestEvent(t.db, id, t.now);
    }
    const report = await dispatchWebhooks(t.db, {
      now: () => t.now,
      baseUrl: "https://shop.example",
      allowHosts: [],
      fetch: publicOnlyFetch([]),
      resolveHost: async () => ["127.0.0.1"],
    });
    expect(report.delivered).toBe(0);
    expect(report.retrying).toBe(LOOPBACK.length);
    expect(connections).toBe(0);
  });

  it("connects when the host is allowed (so 0 above is the check, not the listener)", async () => {
    const res = await publicOnlyFetch(["127.0.0.1"])(`http://127.0.0.1:${port}/hook`, { method: "POST", body: "{}" }).catch((e) => e);
    expect(res).toBeInstanceOf(TypeError); // the listener hangs up without answering
    expect(connections).toBe(1);
  });
});
