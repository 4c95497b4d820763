import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const CONTENT = join(import.meta.dirname, "../../content");

async function demoBody() {
  const bundle = await readContentDir(CONTENT);
  return {
    locales: bundle.locales!.data,
    products: bundle.products.map((p) => p.data),
    messages: bundle.messages.map((m) => m.data),
    actions: bundle.actions.map((a) => a.data),
  };
}

describe("POST /v1/admin/import and GET /v1/admin/export", () => {
  it("imports the demo store as JSON, then exports the same documents", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const body = await demoBody();
    const report = await expectStatus(await t.request("POST", "/v1/admin/import", { body, headers: editor }), 200);
    expect(report.products).toEqual({ created: 33, updated: 0, unchanged: 0 });
    expect(report.locales.unchanged).toBe(2);
    const again = await expectStatus(await t.request("POST", "/v1/admin/import", { body, headers: editor }), 200);
    expect(again.products.unchanged).toBe(33);
    const exported = await expectStatus(await t.request("GET", "/v1/admin/export", { headers: editor }), 200);
    expect(exported.products).toEqual(body.products);
    expect(exported.messages).toEqual(body.messages);
    expect((await expectStatus(await t.request("GET", "/v1/products?limit=100"), 200)).data).toHaveLength(33);
  });

  it("a bundle with problems is 422 with every problem by pointer, and writes nothing", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const body = await demoBody();
    (body.products[2] as any).variants[0].prices.EUR = -1;
    (body.actions[0] as any).keyword = "STOP";
    const before = dump(t.db);
    const res = await t.request("POST", "/v1/admin/import", { body, headers: editor });
    const problem = await json(res);
    expect(res.status).toBe(422);
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/products/2/variants/0/prices/EUR", "/actions/0/keyword"]);
    expect(dump(t.db)).toEqual(before);
  });

  it("importing with publish needs catalog:publish; a dry run writes nothing", async () => {
    const t = await createTestApp();
    const writer = await t.auth("catalog:write");
    const body = await demoBody();
    expect((await t.request("POST", "/v1/admin/import", { body, headers: writer })).status).toBe(403);
    const before = dump(t.db);
    const dry = await expectStatus(await t.request("POST", "/v1/admin/import?dryRun=true&publish=false", { body, headers: writer }), 200);
    expect(dry).toMatchObject({ dryRun: true, products: { created: 33 } });
    expect(dump(t.db)).toEqual(before);
    await expectStatus(await t.request("POST", "/v1/admin/import?publish=false", { body, headers: writer }), 200);
    expect((await expectStatus(await t.request("GET", "/v1/products"), 200)).data).toHaveLength(0);
  });
});
