/**
 * docs/architecture.md, "Scopes": scopes gate every route. The matrix comes from the served
 * spec: for every operation that declares a required scope, no key is 401, a
 * key with every other scope is 403, and a key with exactly that scope passes
 * the gate (whatever the handler then says).
 */
import { describe, expect, it } from "vitest";
import { SCOPES, type Scope } from "../../src/lib/keys";
import { createTestApp, json } from "../helpers/app";

const SAMPLE: Record<string, string> = {
  slug: "x-y",
  key: "k_x",
  sku: "SKU-1",
  channel: "sms",
  locale: "en",
  field: "title",
  number: "1",
  code: "en",
  id: "x_1",
};

describe("route × scope matrix from the OpenAPI document", () => {
  it("every scoped operation: no key → 401, other scopes → 403, its scope → through the gate; scope checks run before body validation", async () => {
    const t = await createTestApp({ config: { RATE_LIMIT_PER_MINUTE: "0" } });
    const spec = await json(await t.request("GET", "/openapi.json"));
    const keys = new Map<Scope, { authorization: string }>();
    const others = new Map<Scope, { authorization: string }>();
    for (const scope of SCOPES) {
      keys.set(scope, await t.auth(scope));
      others.set(scope, await t.auth(...SCOPES.filter((s) => s !== scope && s !== "admin")));
    }
    let checked = 0;
    for (const [template, item] of Object.entries(
      spec.paths as Record<string, Record<string, { security?: Record<string, string[]>[] }>>,
    )) {
      for (const [method, op] of Object.entries(item)) {
        const requirements = op.security ?? [];
        if (requirements.some((r) => Object.keys(r).length === 0)) continue; // public unless configured otherwise
        const scope = requirements[0]?.apiKey?.[0] as Scope | undefined;
        if (!scope) continue;
        // Importing with publish=true also needs catalog:publish (documented on the operation); test the base scope.
        const path =
          template.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? "x") +
          (template === "/v1/admin/import" ? "?publish=false" : "");
        const body = ["post", "put", "patch"].includes(method) ? { not: "valid" } : undefined;
        const where = `${method.toUpperCase()} ${template} (${scope})`;
        const anon = await t.request(method.toUpperCase(), path, { body });
        expect(anon.status, where).toBe(401);
        expect(anon.headers.get("www-authenticate"), where).toMatch(/^Bearer /);
        if (scope !== "admin") {
          const wrong = await t.request(method.toUpperCase(), path, { body, headers: others.get(scope)! });
          expect(wrong.status, where).toBe(403);
          expect((await json(wrong)).code, where).toBe("insufficient_scope");
        }
        const right = await t.request(method.toUpperCase(), path, { body, headers: keys.get(scope)! });
        expect([401, 403], `${where} → ${right.status}`).not.toContain(right.status);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(55);
  }, 60_000);

  it("public delivery reads need no key, and need catalog:read when DELIVERY_REQUIRES_KEY=true", async () => {
    const open = await createTestApp();
    const closed = await createTestApp({ config: { DELIVERY_REQUIRES_KEY: "true" } });
    const spec = await json(await open.request("GET", "/openapi.json"));
    const publicReads = Object.entries(spec.paths as Record<string, Record<string, { security?: Record<string, string[]>[] }>>).flatMap(
      ([p, item]) =>
        Object.entries(item)
          .filter(
            ([, op]) => op.security?.some((r) => Object.keys(r).length === 0) && op.security.some((r) => r.apiKey?.[0] === "catalog:read"),
          )
          .map(([m]) => ({ method: m.toUpperCase(), path: p.replace(/\{(\w+)\}/g, (_, n: string) => SAMPLE[n] ?? "x") })),
    );
    expect(publicReads.length).toBeGreaterThanOrEqual(6);
    const reader = await closed.auth("catalog:read");
    for (const { method, path } of publicReads) {
      expect([401, 403], `${method} ${path} open`).not.toContain((await open.request(method, path)).status);
      expect((await closed.request(method, path)).status, `${method} ${path} closed`).toBe(401);
      expect([401, 403], `${method} ${path} with key`).not.toContain((await closed.request(method, path, { headers: reader })).status);
    }
  });
});
