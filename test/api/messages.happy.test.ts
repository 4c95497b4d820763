import { describe, expect, it } from "vitest";
import { createTestApp, expectStatus, json } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const promo = {
  key: "winter_sale",
  kind: "promotion",
  title: { en: "Winter sale", fr: "Soldes d'hiver" },
  body: { en: "Use WINTER20 for 20% off until 6 January.", fr: "Utilisez WINTER20 pour 20 % de remise jusqu'au 6 janvier." },
  short: { en: "WINTER20: 20% off", fr: "WINTER20 : 20 % de remise" },
  startsAt: "2026-11-20T00:00:00Z",
  endsAt: "2027-01-06T00:00:00Z",
  facts: { codes: ["WINTER20"], percentages: [20], dates: ["2027-01-06"], links: [] },
};

const action = {
  key: "add_to_cart",
  label: { en: "Add to cart", fr: "Ajouter au panier" },
  confirmation: { en: "Added to your cart.", fr: "Ajouté à votre panier." },
  appliesTo: ["product"],
  keyword: "ADD",
};

describe("messages and actions", () => {
  it("a published promotion is listed while its validity window includes now, with its facts, in the negotiated locale", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    await expectStatus(await t.request("POST", "/v1/admin/messages", { body: promo, headers: editor }), 201);
    await expectStatus(
      await t.request("POST", "/v1/admin/messages", {
        body: { ...promo, key: "spring_sale", startsAt: "2027-03-01T00:00:00Z", endsAt: "2027-04-01T00:00:00Z" },
        headers: editor,
      }),
      201,
    );
    for (const key of ["winter_sale", "spring_sale"]) {
      await expectStatus(await t.request("POST", `/v1/admin/messages/${key}/publish`, { headers: { ...editor, "if-match": '"v1"' } }), 200);
    }
    const live = await expectStatus(await t.request("GET", "/v1/messages?locale=fr"), 200);
    expect(live.data.map((m: { key: string }) => m.key)).toEqual(["winter_sale"]);
    expect(live.data[0]).toMatchObject({ title: "Soldes d'hiver", live: true, facts: { codes: ["WINTER20"], percentages: [20] } });
    const all = await expectStatus(await t.request("GET", "/v1/messages?includeInactive=true"), 200);
    expect(all.data.map((m: { key: string; live: boolean }) => [m.key, m.live])).toEqual([
      ["spring_sale", false],
      ["winter_sale", true],
    ]);
    const one = await expectStatus(await t.request("GET", "/v1/messages/spring_sale"), 200);
    expect(one.live).toBe(false);
  });

  it("a message whose window ends before it starts is refused at endsAt", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write");
    const res = await t.request("POST", "/v1/admin/messages", { body: { ...promo, endsAt: "2026-01-01T00:00:00Z" }, headers: editor });
    const body = await json(res);
    expect(res.status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ pointer: "/endsAt" })]);
  });

  it("an action keyword may not be an SMS compliance word, on create or on patch", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const stop = await t.request("POST", "/v1/admin/actions", { body: { ...action, keyword: "STOP" }, headers: editor });
    expect(stop.status).toBe(400);
    expect((await json(stop)).errors[0].pointer).toBe("/keyword");
    await expectStatus(await t.request("POST", "/v1/admin/actions", { body: action, headers: editor }), 201);
    const patch = await t.request("PATCH", "/v1/admin/actions/add_to_cart", {
      body: { keyword: "HELP" },
      headers: { ...editor, "if-match": '"v1"' },
    });
    expect(patch.status).toBe(400);
    await expectStatus(
      await t.request("POST", "/v1/admin/actions/add_to_cart/publish", { headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    const list = await expectStatus(await t.request("GET", "/v1/actions?locale=fr"), 200);
    expect(list.data).toEqual([expect.objectContaining({ key: "add_to_cart", label: "Ajouter au panier", keyword: "ADD", enabled: true })]);
  });

  it("locales: adding one with a fallback makes delivery fall back field by field; making it default moves the flag", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write");
    const created = await expectStatus(
      await t.request("POST", "/v1/admin/locales", {
        body: { code: "fr-CA", name: "Français (Canada)", fallback: "fr", currency: "CAD" },
        headers: editor,
      }),
      201,
    );
    expect(created).toMatchObject({ code: "fr-CA", fallbackChain: ["fr-CA", "fr", "en"], default: false });
    const bad = await t.request("POST", "/v1/admin/locales", {
      body: { code: "de", name: "Deutsch", fallback: "xx", currency: "EUR" },
      headers: editor,
    });
    expect(bad.status).toBe(422);
    const stale = await t.request("PATCH", "/v1/admin/locales/fr", { body: { default: true }, headers: { ...editor, "if-match": '"v9"' } });
    expect(stale.status).toBe(412);
    await expectStatus(
      await t.request("PATCH", "/v1/admin/locales/fr", { body: { default: true }, headers: { ...editor, "if-match": '"v1"' } }),
      200,
    );
    const locales = await expectStatus(await t.request("GET", "/v1/locales"), 200);
    expect(locales.data.filter((l: { default: boolean }) => l.default).map((l: { code: string }) => l.code)).toEqual(["fr"]);

    const dependedOn = await t.request("POST", "/v1/admin/locales/fr/archive", { headers: { ...editor, "if-match": '"v2"' } });
    expect(dependedOn.status).toBe(409);
    await expectStatus(await t.request("POST", "/v1/admin/locales/fr-CA/archive", { headers: { ...editor, "if-match": '"v1"' } }), 200);
    expect((await t.request("GET", "/v1/products?locale=fr-CA")).status).toBe(400);
    const audit = await expectStatus(await t.request("GET", "/v1/admin/audit?entityType=locale&entityKey=fr-CA", { headers: editor }), 200);
    expect(audit.data.map((a: { action: string }) => a.action)).toEqual(["locale.archive", "locale.create"]);
  });
});

describe("editors' API: a promo code appears literally in body and short in every locale (content/README.md)", () => {
  it("refuses a create or a patch that drops the code from a locale (400 validation_failed at that pointer), writing nothing", async () => {
    const t = await createTestApp();
    const editor = await t.auth("catalog:write", "catalog:publish");
    const before = dump(t.db);
    const created = await t.request("POST", "/v1/admin/messages", {
      body: { ...promo, body: { ...promo.body, fr: "20 % de remise jusqu'au 6 janvier." } },
      headers: editor,
    });
    const problem = await json(created);
    expect(created.status, JSON.stringify(problem)).toBe(400);
    expect(created.headers.get("content-type")).toBe("application/problem+json");
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/body/fr"]);
    expect(JSON.stringify(problem.errors)).toContain("WINTER20");
    expect(dump(t.db)).toEqual(before);

    const entry = await expectStatus(await t.request("POST", "/v1/admin/messages", { body: promo, headers: editor }), 201);
    const afterCreate = dump(t.db);
    const patched = await t.request("PATCH", "/v1/admin/messages/winter_sale", {
      headers: { ...editor, "if-match": `"v${entry.version}"`, "content-type": "application/merge-patch+json" },
      body: { short: { en: "20% off knitwear" } },
    });
    const patchProblem = await json(patched);
    expect(patched.status).toBe(400);
    expect(patchProblem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/short/en"]);
    expect(dump(t.db)).toEqual(afterCreate);
  });
});
