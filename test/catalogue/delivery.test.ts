import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { deliveryPrice, listDeliveryOptions } from "../../src/catalogue/delivery";
import { readContentDir } from "../../src/cli/content-files";
import { openSqlite } from "../../src/node/sqlite";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const CONTENT = join(import.meta.dirname, "../../content");
const ctx = { keyId: null, now: new Date("2026-11-24T12:00:00Z") };

async function demoDb() {
  const db = openSqlite(":memory:");
  const bundle = await readContentDir(CONTENT);
  const report = await importContent(db, bundle, ctx);
  expect(report.problems).toEqual([]);
  return { db, bundle, report };
}

describe("delivery options: canonical content in content/delivery.json", () => {
  it("the demo options import and read back per locale, with names, formatted prices and lead times", async () => {
    const { db, report } = await demoDb();
    expect(report.delivery).toEqual({ created: 3, updated: 0, unchanged: 0, removed: 0 });
    const en = await listDeliveryOptions(db, "en");
    expect(en.map((o) => [o.key, o.name, o.price.formatted, o.leadTime, o.kind])).toEqual([
      ["standard", "Standard delivery", "€4.90", "2–4 business days", "shipping"],
      ["express", "Express delivery", "€12.90", "1 business day", "shipping"],
      ["pickup", "Pick up in store", "€0.00", "1–2 business days", "pickup"],
    ]);
    const fr = await listDeliveryOptions(db, "fr");
    expect(fr.map((o) => [o.name, o.price.formatted, o.leadTime])).toEqual([
      ["Livraison standard", "4,90\u00a0€", "2 à 4 jours ouvrés"],
      ["Livraison express", "12,90\u00a0€", "1 jour ouvré"],
      ["Retrait en boutique", "0,00\u00a0€", "1 à 2 jours ouvrés"],
    ]);
    // Standard is free from €75, as the free_shipping message says.
    const standard = en[0]!;
    expect(standard.freeOver?.formatted).toBe("€75.00");
    expect(deliveryPrice(standard, 7499, "en").amount).toBe(490);
    expect(deliveryPrice(standard, 7500, "en")).toEqual({ amount: 0, currency: "EUR", formatted: "€0.00" });
  });

  it("re-import is unchanged; an edited, a disabled and a dropped option are applied, and the disabled one is no longer offered", async () => {
    const { db, bundle } = await demoDb();
    const before = dump(db);
    const again = await importContent(db, bundle, ctx);
    expect(again.delivery).toEqual({ created: 0, updated: 0, unchanged: 3, removed: 0 });
    expect(dump(db)).toEqual(before);

    const options = structuredClone(bundle.delivery!.data) as Record<string, any>[];
    options[0]!.prices.EUR = 590;
    options[1]!.enabled = false;
    const report = await importContent(db, { ...bundle, delivery: { path: "delivery.json", data: [options[0], options[1]] } }, ctx);
    expect(report.delivery).toEqual({ created: 0, updated: 2, unchanged: 0, removed: 1 });
    const en = await listDeliveryOptions(db, "en");
    expect(en.map((o) => [o.key, o.price.amount])).toEqual([["standard", 590]]);
    const audit = db.client
      .prepare("SELECT action, entity_key AS key FROM audit_log WHERE entity_type = 'delivery_option' ORDER BY action, entity_key")
      .all();
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: "delivery_option.remove", key: "pickup" },
        { action: "delivery_option.update", key: "express" },
        { action: "delivery_option.update", key: "standard" },
      ]),
    );
  });

  it("a bundle without delivery.json leaves the stored options alone", async () => {
    const { db, bundle } = await demoDb();
    const report = await importContent(db, { ...bundle, delivery: null }, ctx);
    expect(report.delivery.removed).toBe(0);
    expect(await listDeliveryOptions(db, "en")).toHaveLength(3);
  });

  it("a broken delivery.json reports every problem with its pointer and writes nothing", async () => {
    const { db, bundle } = await demoDb();
    const before = dump(db);
    const options = structuredClone(bundle.delivery!.data) as Record<string, any>[];
    options[0]!.name = { fr: "Sans anglais" };
    options[1]!.leadTimeDays = { min: 5, max: 2 };
    options[2]!.key = "standard";
    options.push({ key: "courier", name: { en: "Courier", de: "Kurier" }, prices: { USD: 900 }, leadTimeDays: { min: 1, max: 2 } });
    const report = await importContent(db, { ...bundle, delivery: { path: "delivery.json", data: options } }, ctx);
    expect(report.problems.map((p) => `${p.file}:${p.pointer}`)).toEqual(
      expect.arrayContaining([
        "delivery.json:/0/name",
        "delivery.json:/1/leadTimeDays/max",
        "delivery.json:/2/key",
        "delivery.json:/3/name/de",
        "delivery.json:/3/prices",
      ]),
    );
    expect(dump(db)).toEqual(before);
  });
});

describe("GET /v1/delivery-options", () => {
  async function appWithDemo() {
    const t = await createTestApp();
    const bundle = await readContentDir(CONTENT);
    const report = await importContent(t.db, { ...bundle, products: [], messages: [], actions: [] }, ctx);
    expect(report.problems).toEqual([]);
    return t;
  }

  it("lists the enabled options in the negotiated locale, cacheable, with an ETag that answers 304", async () => {
    const t = await appWithDemo();
    const res = await t.request("GET", "/v1/delivery-options", { headers: { "accept-language": "fr-CH, fr;q=0.9" } });
    expect(res.headers.get("content-language")).toBe("fr");
    expect(res.headers.get("cache-control")).toMatch(/^public/);
    const etag = res.headers.get("etag");
    const body = await expectStatus(res, 200);
    expect(body.locale).toBe("fr");
    expect(body.data.map((o: { key: string; name: string }) => `${o.key}:${o.name}`)).toEqual([
      "standard:Livraison standard",
      "express:Livraison express",
      "pickup:Retrait en boutique",
    ]);
    const again = await t.request("GET", "/v1/delivery-options?locale=fr", { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("an empty shop answers an empty list; an unknown locale is a 400 problem", async () => {
    const t = await createTestApp();
    expect((await expectStatus(await t.request("GET", "/v1/delivery-options"), 200)).data).toEqual([]);
    const bad = await t.request("GET", "/v1/delivery-options?locale=de");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect((await json(bad)).code).toBe("unsupported_locale");
  });

  it("the admin import takes `delivery` and the export gives it back", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const bundle = await readContentDir(CONTENT);
    const body = { locales: bundle.locales!.data, delivery: bundle.delivery!.data };
    const report = await expectStatus(await t.request("POST", "/v1/admin/import", { body, headers: editor }), 200);
    expect(report.delivery).toEqual({ created: 3, updated: 0, unchanged: 0, removed: 0 });
    const exported = await expectStatus(await t.request("GET", "/v1/admin/export?published=true", { headers: editor }), 200);
    expect(exported.delivery).toEqual(bundle.delivery!.data);
    const broken = { delivery: [{ key: "x", name: { en: "X" }, prices: { EUR: -1 }, leadTimeDays: { min: 1, max: 1 } }] };
    const refused = await t.request("POST", "/v1/admin/import", { body: broken, headers: editor });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors.map((e: { pointer: string }) => e.pointer)).toContain("/delivery/0/prices/EUR");
  });
});
