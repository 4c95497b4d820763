import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { productDoc } from "../helpers/db";
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

describe("the deploy recipe: GET /v1/admin/export?published=true then POST /v1/admin/import", () => {
  it("copies what is live, as published: an unpublished edit and a never-published draft do not go live", async () => {
    const source = await createTestApp();
    const editor = await source.auth("catalog:write", "catalog:publish");
    await expectStatus(await source.request("POST", "/v1/admin/products", { body: productDoc("wool-hat"), headers: editor }), 201);
    await expectStatus(
      await source.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    const live = await expectStatus(await source.request("GET", "/v1/admin/products/wool-hat", { headers: editor }), 200);
    await expectStatus(
      await source.request("PATCH", "/v1/admin/products/wool-hat", {
        headers: { ...editor, "if-match": `"v${live.version}"`, "content-type": "application/merge-patch+json" },
        body: { title: { en: "Unannounced hat" } },
      }),
      200,
    );
    await expectStatus(await source.request("POST", "/v1/admin/products", { body: productDoc("secret-scarf"), headers: editor }), 201);

    const drafts = await expectStatus(await source.request("GET", "/v1/admin/export", { headers: editor }), 200);
    expect(drafts.products.map((p: { slug: string; title: { en: string } }) => `${p.slug} ${p.title.en}`)).toEqual([
      "secret-scarf Title secret-scarf",
      "wool-hat Unannounced hat",
    ]);
    const published = await expectStatus(await source.request("GET", "/v1/admin/export?published=true", { headers: editor }), 200);
    expect(published.products.map((p: { slug: string; title: { en: string } }) => `${p.slug} ${p.title.en}`)).toEqual([
      "wool-hat Title wool-hat",
    ]);
    expect(published.products[0].variants[0].stock).toBe(0);

    const target = await createTestApp();
    const deployer = await target.auth("catalog:write", "catalog:publish");
    await expectStatus(await target.request("POST", "/v1/admin/import", { body: published, headers: deployer }), 200);
    const shop = await expectStatus(await target.request("GET", "/v1/products?locale=en"), 200);
    expect(shop.data.map((p: { slug: string; title: string }) => `${p.slug} ${p.title}`)).toEqual(["wool-hat Title wool-hat"]);
  });
});
