import { describe, expect, it } from "vitest";
import { createTestApp, expectStatus } from "../helpers/app";
import { productDoc } from "../helpers/db";

async function publishedProduct(t: Awaited<ReturnType<typeof createTestApp>>, slug: string, extra: Record<string, unknown> = {}) {
  const editor = await t.auth("catalog:write", "catalog:publish");
  const doc = productDoc(slug, extra);
  const created = await expectStatus(await t.request("POST", "/v1/admin/products", { body: doc, headers: editor }), 201);
  await expectStatus(
    await t.request("POST", `/v1/admin/products/${slug}/publish`, { headers: { ...editor, "if-match": `"v${created.version}"` } }),
    200,
  );
  return editor;
}

describe("products: editors to delivery", () => {
  it("POST /v1/admin/products creates a draft that delivery does not serve until it is published", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const res = await t.request("POST", "/v1/admin/products", {
      body: { ...productDoc("wool-hat"), variants: [{ sku: "WOOL-HAT-M", options: { size: "M" }, prices: { EUR: 2500 }, stock: 9 }] },
      headers: editor,
    });
    const body = await expectStatus(res, 201);
    expect(res.headers.get("etag")).toBe('"v1"');
    expect(res.headers.get("location")).toBe("/v1/admin/products/wool-hat");
    expect(body).toMatchObject({ slug: "wool-hat", status: "draft", version: 1, publishedRevision: null, hasUnpublishedChanges: true });
    await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 404);

    const published = await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    expect(published).toMatchObject({ status: "published", version: 2, publishedRevision: 1, hasUnpublishedChanges: false });

    const view = await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200);
    expect(view).toMatchObject({
      slug: "wool-hat",
      locale: "en",
      title: "Title wool-hat",
      url: "https://shop.example/products/wool-hat",
      price: { amount: 2500, currency: "EUR", formatted: "€25.00" },
      availability: "in_stock",
      revision: 1,
    });
  });

  it("GET /v1/products/{slug} negotiates the locale from Accept-Language, falls back per field, and says which in Content-Language", async () => {
    const t = await createTestApp();
    await publishedProduct(t, "wool-hat", { summary: { en: "Only in English." } });
    const res = await t.request("GET", "/v1/products/wool-hat", { headers: { "accept-language": "fr-CA,fr;q=0.9,en;q=0.5" } });
    const view = await expectStatus(res, 200);
    expect(res.headers.get("content-language")).toBe("fr");
    expect(res.headers.get("vary")).toContain("Accept-Language");
    expect(view.title).toBe("Titre wool-hat");
    expect(view.summary).toBe("Only in English.");
    expect(view.price.formatted).toBe("89,00\u00a0€");
    const en = await t.request("GET", "/v1/products/wool-hat?locale=en", { headers: { "accept-language": "fr" } });
    expect(en.headers.get("content-language")).toBe("en");
  });

  it("GET /v1/products/{slug} gives a strong ETag and 304 for If-None-Match, and a new ETag when stock changes availability", async () => {
    const t = await createTestApp();
    const editor = await publishedProduct(t, "wool-hat");
    const first = await t.request("GET", "/v1/products/wool-hat");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get("cache-control")).toMatch(/public, max-age=60/);
    const again = await t.request("GET", "/v1/products/wool-hat", { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    const inv = await t.request("GET", "/v1/admin/inventory/WOOL-HAT-M", { headers: editor });
    const stock = await expectStatus(inv, 200);
    expect(stock).toMatchObject({ sku: "WOOL-HAT-M", product: "wool-hat", stock: 0, listed: true });
    await expectStatus(
      await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", {
        body: { stock: 3 },
        headers: { ...editor, "if-match": inv.headers.get("etag")! },
      }),
      200,
    );
    const after = await t.request("GET", "/v1/products/wool-hat", { headers: { "if-none-match": etag! } });
    const view = await expectStatus(after, 200);
    expect(view.availability).toBe("low_stock");
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  it("PATCH /v1/admin/products/{slug} merges the draft; delivery keeps serving the published revision until the next publish", async () => {
    const t = await createTestApp();
    const editor = await publishedProduct(t, "wool-hat");
    const patched = await expectStatus(
      await t.request("PATCH", "/v1/admin/products/wool-hat", {
        body: { title: { en: "Wool hat", fr: null } },
        headers: { ...editor, "if-match": '"v2"', "content-type": "application/merge-patch+json" },
      }),
      200,
    );
    expect(patched.draft.title).toEqual({ en: "Wool hat" });
    expect(patched).toMatchObject({ version: 3, hasUnpublishedChanges: true });
    expect((await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200)).title).toBe("Title wool-hat");
    await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/publish", {
        body: { note: "rename" },
        headers: { ...editor, "if-match": '"v3"' },
      }),
      200,
    );
    const fr = await expectStatus(await t.request("GET", "/v1/products/wool-hat?locale=fr"), 200);
    expect(fr.title).toBe("Wool hat");
  });

  it("revisions, diff and rollback: rollback republishes an old revision as a new one and records it in the audit log", async () => {
    const t = await createTestApp();
    const editor = await publishedProduct(t, "wool-hat");
    await expectStatus(
      await t.request("PATCH", "/v1/admin/products/wool-hat", {
        body: { title: { en: "Second" } },
        headers: { ...editor, "if-match": '"v2"' },
      }),
      200,
    );
    await expectStatus(await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": '"v3"' } }), 200);

    const revisions = await expectStatus(await t.request("GET", "/v1/admin/products/wool-hat/revisions", { headers: editor }), 200);
    expect(revisions.data.map((r: { number: number; live: boolean }) => [r.number, r.live])).toEqual([
      [2, true],
      [1, false],
    ]);
    const diff = await expectStatus(await t.request("GET", "/v1/admin/products/wool-hat/diff?from=1&to=2", { headers: editor }), 200);
    expect(diff.changes).toEqual([{ op: "replace", path: "/title/en", from: "Title wool-hat", to: "Second" }]);

    const rolled = await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/rollback", {
        body: { revision: 1 },
        headers: { ...editor, "if-match": '"v4"' },
      }),
      200,
    );
    expect(rolled).toMatchObject({ publishedRevision: 3, hasUnpublishedChanges: false });
    expect((await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200)).title).toBe("Title wool-hat");
    const audit = await expectStatus(await t.request("GET", "/v1/admin/products/wool-hat/audit", { headers: editor }), 200);
    expect(audit.data.map((a: { action: string }) => a.action)).toEqual([
      "product.rollback",
      "product.publish",
      "product.update",
      "product.publish",
      "product.create",
    ]);
    expect(audit.data[0]).toMatchObject({ fromRevision: 2, toRevision: 3, detail: { restoredFrom: 1 } });
  });

  it("overrides record their base text and turn stale when the base changes, until confirmed", async () => {
    const t = await createTestApp();
    const editor = await publishedProduct(t, "wool-hat");
    const set = await expectStatus(
      await t.request("PUT", "/v1/admin/products/wool-hat/overrides/sms/en/title", {
        body: { value: "Hat" },
        headers: { ...editor, "if-match": '"v2"' },
      }),
      200,
    );
    expect(set.draft.overrides).toEqual([{ channel: "sms", locale: "en", field: "title", value: "Hat", basedOn: "Title wool-hat" }]);
    expect(set.staleOverrides).toEqual([]);
    const changed = await expectStatus(
      await t.request("PATCH", "/v1/admin/products/wool-hat", {
        body: { title: { en: "Warm wool hat" } },
        headers: { ...editor, "if-match": '"v3"' },
      }),
      200,
    );
    expect(changed.staleOverrides).toEqual([{ channel: "sms", locale: "en", field: "title" }]);
    const confirmed = await expectStatus(
      await t.request("POST", "/v1/admin/products/wool-hat/overrides/sms/en/title/confirm", { headers: { ...editor, "if-match": '"v4"' } }),
      200,
    );
    expect(confirmed.staleOverrides).toEqual([]);
    const reset = await expectStatus(
      await t.request("DELETE", "/v1/admin/products/wool-hat/overrides/sms/en/title", { headers: { ...editor, "if-match": '"v5"' } }),
      200,
    );
    expect(reset.draft.overrides).toEqual([]);
  });

  it("GET /v1/products pages by cursor without repeats when products are published between pages, and filters by category and availability", async () => {
    const t = await createTestApp();
    for (const slug of ["a-one", "c-three", "e-five"])
      await publishedProduct(t, slug, { categories: slug === "c-three" ? ["hats"] : ["knitwear"] });
    const first = await expectStatus(await t.request("GET", "/v1/products?limit=2"), 200);
    expect(first.data.map((p: { slug: string }) => p.slug)).toEqual(["a-one", "c-three"]);
    await publishedProduct(t, "b-two");
    const second = await expectStatus(await t.request("GET", `/v1/products?limit=2&cursor=${first.nextCursor}`), 200);
    expect(second.data.map((p: { slug: string }) => p.slug)).toEqual(["e-five"]);
    expect(second.nextCursor).toBeNull();
    const hats = await expectStatus(await t.request("GET", "/v1/products?category=hats"), 200);
    expect(hats.data.map((p: { slug: string }) => p.slug)).toEqual(["c-three"]);
    const out = await expectStatus(await t.request("GET", "/v1/products?availability=out_of_stock&limit=100"), 200);
    expect(out.data).toHaveLength(4);
    expect((await expectStatus(await t.request("GET", "/v1/products?availability=in_stock"), 200)).data).toHaveLength(0);
  });

  it("GET /v1/products?q= searches every locale with prefix matching and ignores FTS syntax in the query", async () => {
    const t = await createTestApp();
    await publishedProduct(t, "wool-hat", { title: { en: "Merino beanie", fr: "Bonnet en laine" } });
    await publishedProduct(t, "rain-coat", {
      title: { en: "Rain coat", fr: "Imperméable" },
      description: { en: "Waterproof.", fr: "Étanche." },
    });
    const slugs = async (q: string) =>
      (await expectStatus(await t.request("GET", `/v1/products?q=${encodeURIComponent(q)}`), 200)).data.map(
        (p: { slug: string }) => p.slug,
      );
    expect(await slugs("bonnet")).toEqual(["wool-hat"]);
    expect(await slugs("merin")).toEqual(["wool-hat"]);
    expect(await slugs("etanche")).toEqual(["rain-coat"]);
    expect(await slugs('coat" OR "hat')).toEqual([]);
    expect(await slugs("NEAR(")).toEqual([]);
  });
});

describe("search pages", () => {
  it("GET /v1/products?q= pages by cursor through every match exactly once, with filters applied inside the ranking", async () => {
    const t = await createTestApp();
    for (let i = 0; i < 7; i++)
      await publishedProduct(t, `hat-${i}`, { title: { en: `Wool hat ${i}`, fr: `Bonnet ${i}` }, categories: [i % 2 ? "odd" : "even"] });
    await publishedProduct(t, "rain-coat", {
      title: { en: "Rain coat", fr: "Imperméable" },
      description: { en: "Waterproof.", fr: "Étanche." },
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { slug: string }[]; nextCursor: string | null } = await expectStatus(
        await t.request("GET", `/v1/products?q=hat&limit=3${cursor ? `&cursor=${cursor}` : ""}`),
        200,
      );
      seen.push(...page.data.map((p) => p.slug));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["hat-0", "hat-1", "hat-2", "hat-3", "hat-4", "hat-5", "hat-6"]);
    const odd = await expectStatus(await t.request("GET", "/v1/products?q=hat&category=odd&limit=10"), 200);
    expect(odd.data.map((p: { slug: string }) => p.slug).sort()).toEqual(["hat-1", "hat-3", "hat-5"]);
    const first = await expectStatus(await t.request("GET", "/v1/products?q=hat&limit=2"), 200);
    const other = await t.request("GET", `/v1/products?q=coat&limit=2&cursor=${first.nextCursor}`);
    expect(other.status).toBe(400);
  });
});
