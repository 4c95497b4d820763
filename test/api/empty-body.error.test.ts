/**
 * Empty bodies (issue #13, defect 4): a merge-patch with the right If-Match and
 * content type but no document used to answer 200 (a silent no-op with a new
 * version for some); the bulk import dry run answered 200 too; `"input": null`
 * was taken for `{}`. All are 400 `validation_failed` with the failing pointer,
 * and nothing changes.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, type TestApp } from "../helpers/app";

let t: TestApp;
let admin: Record<string, string>;
let webhookPath = "";

beforeAll(async () => {
  t = await createTestApp();
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  admin = await t.auth("admin");
  const { endpoint } = await expectStatus(
    await t.request("POST", "/v1/admin/webhooks", { body: { url: "https://hooks.partner.example/unison" }, headers: admin }),
    201,
  );
  webhookPath = `/v1/admin/webhooks/${endpoint.id}`;
});

async function expectEmptyRefused(res: Response, pointer: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = (await res.json()) as { code: string; errors: { in: string; pointer: string }[] };
  expect(problem.code).toBe("validation_failed");
  expect(problem.errors[0]).toMatchObject({ in: "body", pointer });
}

describe("PATCH with an empty body", () => {
  const targets: [string, () => string, string][] = [
    ["product", () => "/v1/admin/products/merino-crew-sweater", "/v1/admin/products/merino-crew-sweater"],
    ["message", () => "/v1/admin/messages/returns_policy", "/v1/admin/messages/returns_policy"],
    ["action", () => "/v1/admin/actions/view_cart", "/v1/admin/actions/view_cart"],
    ["variant", () => "/v1/admin/products/merino-crew-sweater/variants/MER-CREW-NAVY-M", "/v1/admin/products/merino-crew-sweater"],
    ["locale", () => "/v1/admin/locales/fr", "/v1/admin/locales"],
    ["webhook", () => webhookPath, ""],
  ];
  for (const [what, path, read] of targets) {
    it(`is 400 on a ${what}, with If-Match and merge-patch content type, and changes nothing`, async () => {
      const readPath = read || path();
      const before = await t.app.request(readPath, { headers: admin });
      expect(before.status).toBe(200);
      const etag = before.headers.get("etag") ?? '"v1"';
      const beforeBody = await before.text();
      for (const headers of <Record<string, string>[]>[
        { "content-type": "application/merge-patch+json", "content-length": "0" },
        { "content-type": "application/merge-patch+json" },
        { "content-type": "application/json" },
      ]) {
        const res = await t.app.request(path(), { method: "PATCH", headers: { ...admin, ...headers, "if-match": etag } });
        await expectEmptyRefused(res, "");
      }
      expect(await (await t.app.request(readPath, { headers: admin })).text()).toBe(beforeBody);
    });
  }
});

describe("other empty or null bodies", () => {
  it("POST /v1/admin/import?dryRun=true (and without dryRun) with an empty body is 400", async () => {
    for (const query of ["?dryRun=true", ""]) {
      await expectEmptyRefused(
        await t.app.request(`/v1/admin/import${query}`, { method: "POST", headers: { ...admin, "content-type": "application/json" } }),
        "",
      );
    }
  });

  it('"input": null where the action wants an object is 400 on /input', async () => {
    const invoker = await t.auth("actions:invoke");
    for (const key of ["view_cart", "add_to_cart"]) {
      const res = await t.request("POST", `/v1/actions/${key}`, {
        headers: { ...invoker, "idempotency-key": `null-input-${key}` },
        body: { channel: "web", identity: { channel: "web", externalId: "null-input" }, input: null },
      });
      await expectEmptyRefused(res, "/input");
    }
    // Without `input` at all, an action with no required input still runs.
    const ok = await t.request("POST", "/v1/actions/view_cart", {
      headers: invoker,
      body: { channel: "web", identity: { channel: "web", externalId: "null-input" } },
    });
    expect(ok.status).toBe(200);
  });
});
