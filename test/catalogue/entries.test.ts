import { describe, expect, it } from "vitest";
import { createEntry, parseDocument, publishEntry, updateDraft } from "../../src/catalogue/entries";
import { findLiveProduct, inventoryInserts, listLiveProducts, productKind } from "../../src/catalogue/products";
import { ApiError } from "../../src/lib/errors";
import { freshDb, productDoc } from "../helpers/db";

const ctx = { keyId: null, now: new Date("2026-11-24T12:00:00Z") };

describe("entry store", () => {
  it("publishing makes a draft live and a stale version is refused with nothing changed", async () => {
    const db = await freshDb();
    const doc = parseDocument(productKind, productDoc("wool-hat"));
    const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
      inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 12 }], ctx.now.toISOString()),
    );
    expect(await findLiveProduct(db, "wool-hat")).toBeNull();
    const live = await publishEntry(db, productKind, ctx, entry, 1);
    expect(live.version).toBe(2);
    const found = await findLiveProduct(db, "wool-hat");
    expect(found?.revision).toBe(1);
    const page = await listLiveProducts(db, { limit: 10 });
    expect(page.items.map((i) => i.doc.slug)).toEqual(["wool-hat"]);
    const search = await listLiveProducts(db, { limit: 10, q: "merino" });
    expect(search.items).toHaveLength(1);

    const changed = parseDocument(productKind, { ...doc, title: { en: "New", fr: "Nouveau" } });
    const err = await updateDraft(db, productKind, ctx, live, 1, changed).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("precondition_failed");
    expect((err as ApiError).extra.currentVersion).toBe(2);
    const rows = db.client.prepare("select version, draft from entries").all() as { version: number; draft: string }[];
    expect(rows[0]?.version).toBe(2);
    expect(rows[0]?.draft).not.toContain("Nouveau");
    expect(db.client.prepare("select count(*) n from write_guards").get()).toEqual({ n: 0 });
  });
});
