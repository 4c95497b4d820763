import { describe, expect, it } from "vitest";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { productDoc } from "../helpers/db";
import { dump } from "../helpers/snapshot";

const PROBLEM = "application/problem+json";

async function withDraft() {
  const t = await createTestApp();
  const editor = await t.auth("catalog:write", "catalog:publish");
  await expectStatus(await t.request("POST", "/v1/admin/products", { body: productDoc("wool-hat"), headers: editor }), 201);
  return { t, editor };
}

function expectProblem(res: Response, body: Record<string, unknown>, status: number, code: string) {
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(body).toMatchObject({
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    requestId: res.headers.get("x-request-id"),
  });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules/);
}

describe("editors' API errors change nothing", () => {
  it("a document must keep the default locale in every localized field and use only configured locales (400 per field), writing nothing", async () => {
    const { t, editor } = await withDraft();
    const before = dump(t.db);
    const entry = await expectStatus(await t.request("GET", "/v1/admin/products/wool-hat", { headers: editor }), 200);
    const dropped = await t.request("PATCH", "/v1/admin/products/wool-hat", {
      headers: { ...editor, "if-match": `"v${entry.version}"`, "content-type": "application/merge-patch+json" },
      body: { title: { en: null }, summary: { de: "Ein Hut." } },
    });
    const body = await json(dropped);
    expectProblem(dropped, body, 400, "validation_failed");
    expect(body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`).sort()).toEqual([
      "/summary/de unknown_locale",
      "/title missing_default_locale",
    ]);
    const created = await t.request("POST", "/v1/admin/products", {
      headers: editor,
      body: productDoc("beret", { title: { fr: "Béret" } }),
    });
    expectProblem(created, await json(created), 400, "validation_failed");
    expect(dump(t.db)).toEqual(before);
  });

  it("POST /v1/admin/products names every invalid field by JSON Pointer, refuses unknown and read-only fields, and writes nothing", async () => {
    const { t, editor } = await withDraft();
    const before = dump(t.db);
    const res = await t.request("POST", "/v1/admin/products", {
      body: { ...productDoc("Bad Slug"), title: { en: "" }, id: "x", version: 4, variants: [{ sku: "A", prices: { EUR: -1 } }] },
      headers: editor,
    });
    const body = await json(res);
    expectProblem(res, body, 400, "validation_failed");
    const pointers = body.errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(["/id", "/media/0/url", "/slug", "/title/en", "/variants/0/prices/EUR", "/version"]);
    expect(body.errors.find((e: { pointer: string }) => e.pointer === "/id")).toMatchObject({ in: "body", code: "unknown_field" });
    expect(dump(t.db)).toEqual(before);
  });

  it("PATCH without If-Match is 428 and with a stale one 412 carrying the current version; neither writes", async () => {
    const { t, editor } = await withDraft();
    const before = dump(t.db);
    const none = await t.request("PATCH", "/v1/admin/products/wool-hat", { body: { title: { en: "X" } }, headers: editor });
    expectProblem(none, await json(none), 428, "precondition_required");
    const stale = await t.request("PATCH", "/v1/admin/products/wool-hat", {
      body: { title: { en: "X" } },
      headers: { ...editor, "if-match": '"v7"' },
    });
    const body = await json(stale);
    expectProblem(stale, body, 412, "precondition_failed");
    expect(body.currentVersion).toBe(1);
    expect(stale.headers.get("etag")).toBe('"v1"');
    expect(dump(t.db)).toEqual(before);
  });

  it("two editors saving the same version concurrently: exactly one wins, the other gets 412, no update is lost", async () => {
    const { t, editor } = await withDraft();
    const results = await Promise.all(
      ["Alice", "Bob", "Carol", "Dan"].map((name) =>
        t.request("PATCH", "/v1/admin/products/wool-hat", { body: { title: { en: name } }, headers: { ...editor, "if-match": '"v1"' } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412]);
    const winner = await json(results.find((r) => r.status === 200)!);
    const current = await expectStatus(await t.request("GET", "/v1/admin/products/wool-hat", { headers: editor }), 200);
    expect(current.draft.title.en).toBe(winner.draft.title.en);
    expect(current.version).toBe(2);
  });

  it("PATCH refuses read-only fields (slug, variants, overrides) with their pointers", async () => {
    const { t, editor } = await withDraft();
    const res = await t.request("PATCH", "/v1/admin/products/wool-hat", {
      body: { slug: "other", variants: [], overrides: [] },
      headers: { ...editor, "if-match": '"v1"' },
    });
    const body = await json(res);
    expectProblem(res, body, 400, "validation_failed");
    expect(body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(["/overrides", "/slug", "/variants"]);
  });

  it("a duplicate slug or a SKU of another product is 409 and writes nothing", async () => {
    const { t, editor } = await withDraft();
    const before = dump(t.db);
    const dup = await t.request("POST", "/v1/admin/products", { body: productDoc("wool-hat"), headers: editor });
    expectProblem(dup, await json(dup), 409, "already_exists");
    const sku = await t.request("POST", "/v1/admin/products", {
      body: { ...productDoc("other-hat"), variants: [{ sku: "WOOL-HAT-M", prices: { EUR: 100 } }] },
      headers: editor,
    });
    expectProblem(sku, await json(sku), 409, "already_exists");
    expect(dump(t.db)).toEqual(before);
  });

  it("bodies: malformed JSON 400, wrong media type 415, over the limit 413 — also when chunked without Content-Length", async () => {
    const { t, editor } = await withDraft();
    const before = dump(t.db);
    const malformed = await t.request("POST", "/v1/admin/products", { body: "{not json", headers: editor });
    expectProblem(malformed, await json(malformed), 400, "malformed_json");
    const form = await t.request("POST", "/v1/admin/products", {
      body: "a=1",
      headers: { ...editor, "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(form, await json(form), 415, "unsupported_media_type");
    const big = JSON.stringify({ ...productDoc("big"), description: { en: "x".repeat(300_000) } });
    const large = await t.request("POST", "/v1/admin/products", { body: big, headers: editor });
    expectProblem(large, await json(large), 413, "payload_too_large");
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode("x".repeat(10_000)));
        controller.close();
      },
    });
    const chunked = await t.app.request("/v1/admin/products", {
      method: "POST",
      headers: { ...editor, "content-type": "application/json", "transfer-encoding": "chunked" },
      body: stream,
      // @ts-expect-error Node's fetch needs duplex for streamed bodies
      duplex: "half",
    });
    expectProblem(chunked, await json(chunked), 413, "payload_too_large");
    expect(dump(t.db)).toEqual(before);
  });

  it("unknown routes are 404 problems and known paths with the wrong method are 405 with Allow", async () => {
    const { t } = await withDraft();
    const missing = await t.request("GET", "/v1/nothing-here");
    expectProblem(missing, await json(missing), 404, "route_not_found");
    const wrong = await t.request("DELETE", "/v1/products");
    expectProblem(wrong, await json(wrong), 405, "method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    const missingProduct = await t.request("GET", "/v1/products/nope");
    expectProblem(missingProduct, await json(missingProduct), 404, "not_found");
  });

  it("publishing an archived product is 409; archive takes it off delivery and restore brings the draft back", async () => {
    const { t, editor } = await withDraft();
    await expectStatus(await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v1"' } }), 200);
    await expectStatus(await t.request("POST", "/v1/admin/products/wool-hat/archive", { headers: { ...editor, "if-match": '"v2"' } }), 200);
    await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 404);
    const res = await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v3"' } });
    expectProblem(res, await json(res), 409, "conflict");
    const list = await expectStatus(await t.request("GET", "/v1/admin/products", { headers: editor }), 200);
    expect(list.data).toEqual([]);
    const restored = await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/restore", { headers: { ...editor, "if-match": '"v3"' } }),
      200,
    );
    expect(restored.status).toBe("draft");
  });
});

describe("requests without a body", () => {
  it("POST …/publish with a JSON content type and an empty body is accepted as 'no body'", async () => {
    const { t, editor } = await withDraft();
    const res = await t.app.request("/v1/admin/products/wool-hat/publish", {
      method: "POST",
      headers: { ...editor, "if-match": '"v1"', "content-type": "application/json", "content-length": "0" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("a required body that is missing is a validation error, not a crash", async () => {
    const { t, editor } = await withDraft();
    const res = await t.app.request("/v1/admin/products", {
      method: "POST",
      headers: { ...editor, "content-type": "application/json", "content-length": "0" },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe("validation_failed");
  });
});
