import { describe, expect, it } from "vitest";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { productDoc } from "../helpers/db";
import { dump } from "../helpers/snapshot";

describe("keys and scopes", () => {
  it("editors' routes need a key (401 with WWW-Authenticate) with the right scope (403)", async () => {
    const t = await createTestApp();
    const anon = await t.request("POST", "/v1/admin/products", { body: productDoc("a") });
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await json(anon)).code).toBe("unauthorized");
    const reader = await t.auth("catalog:read");
    const weak = await t.request("POST", "/v1/admin/products", { body: productDoc("a"), headers: reader });
    expect(weak.status).toBe(403);
    expect((await json(weak)).code).toBe("insufficient_scope");
    const writer = await t.auth("catalog:write");
    await expectStatus(await t.request("POST", "/v1/admin/products", { body: productDoc("a"), headers: writer }), 201);
    const publish = await t.request("POST", "/v1/admin/products/a/publish", { headers: { ...writer, "if-match": '"v1"' } });
    expect(publish.status).toBe(403);
    const admin = await t.auth("admin");
    await expectStatus(await t.request("POST", "/v1/admin/products/a/publish", { headers: { ...admin, "if-match": '"v1"' } }), 200);
  });

  it("an unknown or malformed key is 401 even on public routes, and keys in the query string are refused", async () => {
    const t = await createTestApp();
    const bad = await t.request("GET", "/v1/products", { headers: { authorization: "Bearer unison_sk_0000" } });
    expect(bad.status).toBe(401);
    expect((await json(bad)).code).toBe("invalid_api_key");
    const { authorization } = await t.auth("catalog:read");
    const secret = authorization.slice("Bearer ".length);
    const inQuery = await t.request("GET", `/v1/products?api_key=${secret}`);
    expect(inQuery.status).toBe(400);
    expect((await json(inQuery)).code).toBe("credentials_in_query");
    const disguised = await t.request("GET", `/v1/products?q=${secret}`);
    expect((await json(disguised)).code).toBe("credentials_in_query");
  });

  it("keys are stored only as hashes, never logged, and revocation takes effect on the next request", async () => {
    const t = await createTestApp();
    const admin = await t.auth("admin");
    const created = await expectStatus(
      await t.request("POST", "/v1/admin/keys", { body: { name: "bot", scopes: ["catalog:write"] }, headers: admin }),
      201,
    );
    expect(created.secret).toMatch(/^unison_sk_[0-9a-f]{48}$/);
    expect(created.key).toMatchObject({ name: "bot", scopes: ["catalog:write"], revokedAt: null, start: created.secret.slice(0, 14) });
    const bot = { authorization: `Bearer ${created.secret}` };
    await expectStatus(await t.request("GET", "/v1/admin/products", { headers: bot }), 200);

    const stored = JSON.stringify(dump(t.db));
    expect(stored).not.toContain(created.secret);
    expect(t.logs.join("\n")).not.toContain(created.secret);
    expect(t.logs.join("\n")).not.toContain(admin.authorization.slice(7));
    const listed = await expectStatus(await t.request("GET", "/v1/admin/keys", { headers: admin }), 200);
    expect(JSON.stringify(listed)).not.toContain(created.secret);

    await expectStatus(await t.request("DELETE", `/v1/admin/keys/${created.key.id}`, { headers: admin }), 200);
    const after = await t.request("GET", "/v1/admin/products", { headers: bot });
    expect(after.status).toBe(401);
  });

  it("delivery is public by default and needs catalog:read when DELIVERY_REQUIRES_KEY=true", async () => {
    const open = await createTestApp();
    await expectStatus(await open.request("GET", "/v1/products"), 200);
    const closed = await createTestApp({ config: { DELIVERY_REQUIRES_KEY: "true" } });
    expect((await closed.request("GET", "/v1/products")).status).toBe(401);
    const reader = await closed.auth("catalog:read");
    const res = await closed.request("GET", "/v1/products", { headers: reader });
    await expectStatus(res, 200);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("?locale= naming an unconfigured locale is a 400 problem", async () => {
    const t = await createTestApp();
    const res = await t.request("GET", "/v1/products?locale=not-a-locale!");
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.code).toBe("validation_failed");
    expect(body.errors[0]).toMatchObject({ in: "query", pointer: "/locale" });
    const res2 = await t.request("GET", "/v1/products?locale=es");
    expect(res2.status).toBe(400);
    expect((await json(res2)).code).toBe("unsupported_locale");
  });
});
