import { describe, expect, it } from "vitest";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { productDoc } from "../helpers/db";
import { dump } from "../helpers/snapshot";

async function live() {
  const t = await createTestApp();
  const editor = await t.auth("catalog:write", "catalog:publish");
  await expectStatus(await t.request("POST", "/v1/admin/products", { body: productDoc("wool-hat"), headers: editor }), 201);
  await expectStatus(await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v1"' } }), 200);
  return { t, editor };
}

describe("variants and inventory", () => {
  it("adding a variant sets its stock at once; delivery shows it after the next publish", async () => {
    const { t, editor } = await live();
    const added = await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/variants", {
        body: { sku: "WOOL-HAT-L", options: { size: "L" }, prices: { EUR: 9900 }, stock: 20 },
        headers: { ...editor, "if-match": '"v2"' },
      }),
      200,
    );
    expect(added.draft.variants.map((v: { sku: string }) => v.sku)).toEqual(["WOOL-HAT-M", "WOOL-HAT-L"]);
    expect(added.hasUnpublishedChanges).toBe(true);
    expect((await expectStatus(await t.request("GET", "/v1/admin/inventory/WOOL-HAT-L", { headers: editor }), 200)).stock).toBe(20);
    expect((await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200)).variants).toHaveLength(1);
    await expectStatus(await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v3"' } }), 200);
    const view = await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200);
    expect(view.variants.map((v: { sku: string; availability: string }) => [v.sku, v.availability])).toEqual([
      ["WOOL-HAT-M", "out_of_stock"],
      ["WOOL-HAT-L", "in_stock"],
    ]);
    expect(view.availability).toBe("in_stock");
  });

  it("PATCH a variant merges it (the SKU is read-only); DELETE removes it but never the last one", async () => {
    const { t, editor } = await live();
    const patched = await expectStatus(
      await t.request("PATCH", "/v1/admin/products/wool-hat/variants/WOOL-HAT-M", {
        body: { prices: { EUR: 7900 }, compareAtPrices: { EUR: 8900 } },
        headers: { ...editor, "if-match": '"v2"' },
      }),
      200,
    );
    expect(patched.draft.variants[0]).toMatchObject({ sku: "WOOL-HAT-M", prices: { EUR: 7900 }, compareAtPrices: { EUR: 8900 } });
    const sku = await t.request("PATCH", "/v1/admin/products/wool-hat/variants/WOOL-HAT-M", {
      body: { sku: "X" },
      headers: { ...editor, "if-match": '"v3"' },
    });
    expect(sku.status).toBe(400);
    expect((await json(sku)).errors[0].pointer).toBe("/sku");
    const last = await t.request("DELETE", "/v1/admin/products/wool-hat/variants/WOOL-HAT-M", {
      headers: { ...editor, "if-match": '"v3"' },
    });
    expect(last.status).toBe(422);
    const missing = await t.request("DELETE", "/v1/admin/products/wool-hat/variants/NOPE", { headers: { ...editor, "if-match": '"v3"' } });
    expect(missing.status).toBe(404);
    await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/variants", {
        body: { sku: "WOOL-HAT-S", prices: { EUR: 100 } },
        headers: { ...editor, "if-match": '"v3"' },
      }),
      200,
    );
    const removed = await expectStatus(
      await t.request("DELETE", "/v1/admin/products/wool-hat/variants/WOOL-HAT-M", { headers: { ...editor, "if-match": '"v4"' } }),
      200,
    );
    expect(removed.draft.variants.map((v: { sku: string }) => v.sku)).toEqual(["WOOL-HAT-S"]);
    const dup = await t.request("POST", "/v1/admin/products/wool-hat/variants", {
      body: { sku: "WOOL-HAT-S", prices: { EUR: 1 } },
      headers: { ...editor, "if-match": '"v5"' },
    });
    expect(dup.status).toBe(409);
  });

  it("PUT inventory needs If-Match with the inventory's own version; a stale one is 412 and changes nothing", async () => {
    const { t, editor } = await live();
    const none = await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", { body: { stock: 5 }, headers: editor });
    expect(none.status).toBe(428);
    await expectStatus(
      await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", { body: { stock: 5 }, headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    const before = dump(t.db);
    const stale = await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", {
      body: { stock: 9 },
      headers: { ...editor, "if-match": '"v1"' },
    });
    expect(stale.status).toBe(412);
    expect((await json(stale)).currentVersion).toBe(2);
    const negative = await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", {
      body: { stock: -1 },
      headers: { ...editor, "if-match": '"v2"' },
    });
    expect(negative.status).toBe(400);
    expect(dump(t.db)).toEqual(before);
    expect((await t.request("GET", "/v1/admin/inventory/NOPE", { headers: editor })).status).toBe(404);
  });
});

describe("the editorial lifecycle of messages and actions", () => {
  it("unpublish takes a message off delivery and keeps its revisions; a revision's document can be read back", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const doc = {
      key: "opening_hours",
      kind: "announcement",
      title: { en: "Opening hours" },
      body: { en: "Open 10:00 to 18:00." },
      short: { en: "10:00–18:00" },
    };
    await expectStatus(await t.request("POST", "/v1/admin/messages", { body: doc, headers: editor }), 201);
    await expectStatus(
      await t.request("POST", "/v1/admin/messages/opening_hours/publish", { headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    await expectStatus(await t.request("GET", "/v1/messages/opening_hours"), 200);
    const notLive = await t.request("POST", "/v1/admin/messages/opening_hours/unpublish", { headers: { ...editor, "if-match": '"v1"' } });
    expect(notLive.status).toBe(412);
    const off = await expectStatus(
      await t.request("POST", "/v1/admin/messages/opening_hours/unpublish", { headers: { ...editor, "if-match": '"v2"' } }),
      200,
    );
    expect(off).toMatchObject({ status: "draft", publishedRevision: null });
    expect((await t.request("GET", "/v1/messages/opening_hours")).status).toBe(404);
    const again = await t.request("POST", "/v1/admin/messages/opening_hours/unpublish", { headers: { ...editor, "if-match": '"v3"' } });
    expect(again.status).toBe(409);
    const revision = await expectStatus(await t.request("GET", "/v1/admin/messages/opening_hours/revisions/1", { headers: editor }), 200);
    expect(revision).toMatchObject({ number: 1, live: false, document: { key: "opening_hours", title: { en: "Opening hours" } } });
    expect((await t.request("GET", "/v1/admin/messages/opening_hours/revisions/9", { headers: editor })).status).toBe(404);
  });

  it("admin lists filter by status and key, page by cursor, and hide archived entries unless asked", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    for (const slug of ["a-hat", "b-coat", "c-hat"])
      await expectStatus(await t.request("POST", "/v1/admin/products", { body: productDoc(slug), headers: editor }), 201);
    await expectStatus(await t.request("POST", "/v1/admin/products/b-coat/publish", { headers: { ...editor, "if-match": '"v1"' } }), 200);
    await expectStatus(await t.request("POST", "/v1/admin/products/c-hat/archive", { headers: { ...editor, "if-match": '"v1"' } }), 200);
    const keys = async (q: string) =>
      (await expectStatus(await t.request("GET", `/v1/admin/products${q}`, { headers: editor }), 200)).data.map(
        (p: { slug: string }) => p.slug,
      );
    expect(await keys("")).toEqual(["a-hat", "b-coat"]);
    expect(await keys("?status=published")).toEqual(["b-coat"]);
    expect(await keys("?status=archived")).toEqual(["c-hat"]);
    expect(await keys("?q=hat")).toEqual(["a-hat"]);
    const first = await expectStatus(await t.request("GET", "/v1/admin/products?limit=1", { headers: editor }), 200);
    const second = await expectStatus(
      await t.request("GET", `/v1/admin/products?limit=1&cursor=${first.nextCursor}`, { headers: editor }),
      200,
    );
    expect(second.data.map((p: { slug: string }) => p.slug)).toEqual(["b-coat"]);
    const audit = await expectStatus(await t.request("GET", "/v1/admin/audit?entityType=product&limit=2", { headers: editor }), 200);
    expect(audit.data).toHaveLength(2);
    const more = await expectStatus(
      await t.request("GET", `/v1/admin/audit?entityType=product&limit=50&cursor=${audit.nextCursor}`, { headers: editor }),
      200,
    );
    expect(audit.data.length + more.data.length).toBe(5);
    expect(new Set([...audit.data, ...more.data].map((a: { id: string }) => a.id)).size).toBe(5);
  });
});
