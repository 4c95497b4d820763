/**
 * Overrides along the locale chain (content/README.md, "Overrides"): an override falls back like a base
 * field, can be written for any configured locale — through the editors' API and the studio — and is held
 * to its base text as read along its locale's chain (claims, names, staleness). The corpus
 * (./corpus.ts, class 7) takes the same content through preview, publish, /v1/consistency and `unison check`.
 */
import { describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { importContent } from "../../src/catalogue/content";
import type { ProductDoc } from "../../src/catalogue/documents";
import { staleOverrides } from "../../src/catalogue/entries";
import { loadLocales, overridesAlong } from "../../src/catalogue/locales";
import { overrideViolations } from "../../src/consistency/audit";
import { auditDocument } from "../../src/consistency/gate";
import { parseConfig } from "../../src/env";
import { BASE_URL, loadDemo } from "../helpers/demo";
import { formFields, PUBLISHER, studioApp } from "../studio/helpers";
import { corpus } from "./corpus";

const TENT = "two-person-tent";
const API_TENT = `/v1/admin/products/${TENT}`;
const sms = (channel: "sms" | "chat" | "web", locale: string, field: string, value: string, basedOn: string) => ({
  channel,
  locale,
  field,
  value,
  basedOn,
});

describe("overrides along the locale chain", () => {
  it("read like base fields: the first locale of the chain with an override or a base text decides", () => {
    const doc = {
      title: { en: "Two-person tent" },
      summary: { en: "A tent.", fr: "Une tente." },
      overrides: [sms("sms", "en", "title", "Tent, two-person", "Two-person tent"), sms("sms", "en", "summary", "Tent.", "A tent.")],
    };
    // French has no title: the English SMS title override is French's too; French has a summary: it wins over the English override.
    expect(overridesAlong(doc, ["fr", "en"])).toEqual([{ ...doc.overrides[0], locale: "fr", from: "en" }]);
    expect(overridesAlong(doc, ["en"])).toEqual(doc.overrides);
    // A French override wins over both, for French and for a locale falling back to French.
    const own = { ...doc, overrides: [...doc.overrides, sms("sms", "fr", "title", "Tent 2p", "Two-person tent")] };
    expect(overridesAlong(own, ["fr-CA", "fr", "en"]).map((o) => [o.field, o.value, o.locale])).toEqual([["title", "Tent 2p", "fr-CA"]]);
  });

  it("render on every channel in a locale that falls back: the French SMS and web of an English-only title show the English override", async () => {
    const demo = await loadDemo();
    const doc = (await import("../../content/products/two-person-tent.json")).default as unknown as ProductDoc;
    const changed = structuredClone(doc);
    changed.title = { en: "Two-person tent" };
    changed.overrides = [sms("sms", "en", "title", "Tent, two-person", "Two-person tent")];
    const report = await importContent(
      demo.db,
      { locales: null, products: [{ path: `products/${TENT}.json`, data: changed }], messages: [], actions: [] },
      { keyId: null, now: demo.now },
    );
    expect(report.problems).toEqual([]);
    const fr = await demo.product(TENT, "sms", "fr");
    expect(fr.title).toBe("Tent, two-person");
    expect(renderers.sms.render(fr, { baseUrl: BASE_URL }).body).toContain("Tent, two-person");
    // The other channels keep the base title.
    expect((await demo.product(TENT, "web", "fr")).title).toBe("Two-person tent");
    // Lists too: a French storefront search lists the English web override of an English-only title.
    await importContent(
      demo.db,
      {
        locales: null,
        products: [
          {
            path: `products/${TENT}.json`,
            data: { ...changed, overrides: [sms("web", "en", "title", "Tent, two-person", "Two-person tent")] },
          },
        ],
        messages: [],
        actions: [],
      },
      { keyId: null, now: demo.now },
    );
    const app = createApp({
      renderers,
      platforms,
      resolveDb: () => demo.db,
      config: parseConfig({ PUBLIC_BASE_URL: BASE_URL }),
      clock: () => demo.now,
      log: () => {},
    });
    const page = await (await app.request("/?q=tent", { headers: { "accept-language": "fr" } })).text();
    expect(page).toContain('lang="fr"');
    expect(page).toContain("Tent, two-person");
    // The merino sweater has a French title: its English SMS override stays English-only.
    expect((await demo.product("merino-crew-sweater", "sms", "fr")).title).toBe("Pull col rond en mérinos");
    expect((await demo.product("merino-crew-sweater", "sms", "en")).title).toBe("Merino crew");
  });

  it("are audited against the base text in the fallback locale: claims, names and staleness", async () => {
    const demo = await loadDemo();
    const locales = await loadLocales(demo.db);
    const entity = { type: "product" as const, key: TENT };
    const base = { title: { en: "Two-person tent" }, summary: { en: "A freestanding tent that pitches in five minutes." } };
    const said = (value: string, field = "summary") => ({
      ...base,
      overrides: [sms("sms", "fr", field, value, base[field as "summary"].en)],
    });
    expect(overrideViolations(entity, said("Tente autoportante, montée en cinq minutes."), locales)).toEqual([]);
    expect(staleOverrides(said("Tente autoportante, montée en cinq minutes."), locales)).toEqual([]);
    expect(overrideViolations(entity, said("Aujourd'hui 19,00 € : tente autoportante."), locales)).toEqual([
      expect.objectContaining({
        rule: "override_claims",
        locale: "fr",
        field: "overrides/sms/fr/summary",
        detail: expect.stringContaining("EUR 19"),
      }),
    ]);
    expect(overrideViolations(entity, said("Pull en mérinos", "title"), locales).map((v) => v.rule)).toEqual(["override_entity"]);
    // Once French gets its own base text, the override was written for another text: stale until confirmed.
    const withFrench = { ...said("Tente autoportante."), summary: { ...base.summary, fr: "Une tente autoportante." } };
    expect(staleOverrides(withFrench, locales).map((o) => o.locale)).toEqual(["fr"]);
  });

  it("can be written for any configured locale through the editors' API, recording the base text it falls back to", async () => {
    const { api, key } = await (async () => {
      const studio = await studioApp();
      return { api: studio.api, key: await studio.key(...PUBLISHER) };
    })();
    let entry = (await api(key, "GET", API_TENT)).body;
    entry = (await api(key, "PATCH", API_TENT, { summary: { fr: null } }, entry.version)).body;
    expect(entry.draft.summary).toEqual({ en: "A freestanding tent that pitches in five minutes." });
    const set = await api(
      key,
      "PUT",
      `${API_TENT}/overrides/sms/fr/summary`,
      { value: "Tente autoportante, montée en cinq minutes." },
      entry.version,
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.draft.overrides).toContainEqual({
      channel: "sms",
      locale: "fr",
      field: "summary",
      value: "Tente autoportante, montée en cinq minutes.",
      basedOn: "A freestanding tent that pitches in five minutes.",
    });
    expect(set.body.staleOverrides).toEqual([]);
    // The publish gate holds it to the English text's claims and passes it.
    const published = await api(key, "POST", `${API_TENT}/publish`, {}, set.body.version);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    // A French override that adds a price is refused with the English text's claims named.
    const lie = await api(key, "PUT", `${API_TENT}/overrides/chat/fr/summary`, { value: "Aujourd'hui 19,00 € !" }, published.body.version);
    expect(lie.status).toBe(200);
    const refused = await api(key, "POST", `${API_TENT}/publish`, {}, lie.body.version);
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toContainEqual(
      expect.objectContaining({ rule: "override_claims", channel: "chat", locale: "fr", field: "overrides/chat/fr/summary" }),
    );
    // Writing the French base text makes the French override stale.
    const french = await api(key, "PATCH", API_TENT, { summary: { fr: "Une tente autoportante." } }, lie.body.version);
    expect(french.body.staleOverrides).toEqual(
      expect.arrayContaining([
        { channel: "sms", locale: "fr", field: "summary" },
        { channel: "chat", locale: "fr", field: "summary" },
      ]),
    );
  });

  it("can be written for any configured locale in the studio", async () => {
    const studio = await studioApp();
    const key = await studio.key(...PUBLISHER);
    const client = studio.client();
    expect((await client.signIn(key)).status).toBe(303);
    const entry = (await studio.api(key, "GET", API_TENT)).body;
    await studio.api(key, "PATCH", API_TENT, { title: { fr: null } }, entry.version);
    const page = `/studio/products/${TENT}`;
    const fields = formFields(await (await client.get(page)).text(), "edit");
    expect(fields.has("/overrides/sms/fr/title")).toBe(true);
    fields.set("/overrides/sms/fr/title", "Tent, two-person");
    const saved = await client.post(page, fields);
    expect(saved.status, await saved.clone().text()).toBe(303);
    const after = (await studio.api(key, "GET", API_TENT)).body;
    expect(after.draft.overrides).toContainEqual(
      expect.objectContaining({ channel: "sms", locale: "fr", field: "title", value: "Tent, two-person", basedOn: "Two-person tent" }),
    );
    expect(after.staleOverrides).toEqual([]);
  });

  it("gate actions in every locale they reach: an English label override French falls back to is checked in French renders", async () => {
    const demo = await loadDemo();
    const audit = await auditDocument(
      demo.db,
      {
        type: "action",
        entryId: "draft",
        revision: 0,
        now: demo.now,
        doc: {
          key: "gift_wrap",
          label: { en: "Gift wrap" },
          confirmation: { en: "Wrapped." },
          appliesTo: ["product"],
          enabled: true,
          keyword: "GIFT",
          overrides: [sms("chat", "en", "label", "\u200b", "Gift wrap")],
        },
      },
      { registry: renderers, baseUrl: BASE_URL },
    );
    const rendered = audit.violations.filter((v) => v.rule === "label_invisible" && v.format !== null);
    expect(new Set(rendered.map((v) => `${v.channel}/${v.locale}`))).toEqual(new Set(["chat/en", "chat/fr"]));
  });

  it("has corpus cases for a French override of an English-only text, correct and inconsistent", () => {
    const cases = corpus().filter((c) => c.class === "7" && c.doc.overrides?.some((o: { locale: string }) => o.locale === "fr"));
    expect(cases.filter((c) => c.rule).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => !c.rule).length).toBeGreaterThanOrEqual(3);
  });
});
