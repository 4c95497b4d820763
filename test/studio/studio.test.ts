/**
 * The studio in-process, on the demo catalogue: sessions and CSRF, saving
 * through the API's If-Match, errors next to their fields, conflicts, the live
 * preview, the publish gate, revisions, the audit log and the dashboard. Pages
 * are submitted as a browser without JavaScript would: the fields the page's
 * form offers, read from its HTML.
 */
import { HtmlValidate } from "html-validate";
import { describe, expect, it } from "vitest";
import { EDITOR, formFields, PUBLISHER, studioApp, textOf } from "./helpers";

const PRODUCT = "/studio/products/merino-crew-sweater";
const API_PRODUCT = "/v1/admin/products/merino-crew-sweater";

async function signedIn(scopes = PUBLISHER) {
  const studio = await studioApp();
  const key = await studio.key(...scopes);
  const client = studio.client();
  expect((await client.signIn(key)).status).toBe(303);
  return { ...studio, newKey: studio.key, key, client };
}

async function html(res: Response, status: number): Promise<string> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text.slice(0, 2000)}`);
  return text;
}

describe("studio sessions", () => {
  it("sign-in with a bad key shows the error next to the key field and sets no session", async () => {
    const studio = await studioApp();
    const client = studio.client();
    const res = await client.signIn(`unison_sk_${"0".repeat(48)}`);
    const page = await html(res, 401);
    expect(textOf(page, "key-error")).toBe("This key is unknown, malformed or revoked.");
    expect(page).toContain('aria-describedby="key-error"');
    expect(client.cookies.size).toBe(0);
  });

  it("sign-in with a key that cannot edit is refused", async () => {
    const studio = await studioApp();
    const client = studio.client();
    const page = await html(await client.signIn(await studio.key("catalog:read")), 403);
    expect(textOf(page, "key-error")).toContain("catalog:write");
  });

  it("a page without a session redirects to sign-in, and back after signing in", async () => {
    const studio = await studioApp();
    const client = studio.client();
    const res = await client.get(PRODUCT);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/studio/signin?next=${encodeURIComponent(PRODUCT)}`);
    const key = await studio.key(...EDITOR);
    const signin = await client.post(`/studio/signin?next=${encodeURIComponent(PRODUCT)}`, { key }, { csrf: null });
    expect(signin.headers.get("location")).toBe(PRODUCT);
  });

  it("the session cookie is HttpOnly, SameSite=Strict, scoped to /studio and Secure on https", async () => {
    const studio = await studioApp();
    const res = await studio.client().signIn(await studio.key(...EDITOR));
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("unison_studio="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/studio/);
    expect(cookie).toMatch(/Secure/);
  });

  it("a revoked key is signed out on its next request, and sign-out clears the cookie", async () => {
    const { client, key, api, newKey } = await signedIn();
    expect((await client.get("/studio/products")).status).toBe(200);
    const admin = await newKey("admin");
    const { body } = await api(admin, "GET", "/v1/admin/keys");
    const id = (body.data as { id: string; start: string }[]).find((k) => key.startsWith(k.start))?.id;
    expect((await api(admin, "DELETE", `/v1/admin/keys/${id}`)).status).toBe(200);
    expect((await client.get("/studio/products")).status).toBe(303);

    const other = await signedIn();
    const out = await other.client.post("/studio/signout", {});
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/unison_studio=;.*Max-Age=0/);
    expect((await other.client.get("/studio")).status).toBe(303);
  });

  it("a customers:read-only staff key signs out: the cookie is cleared and the session no longer opens /studio/customers", async () => {
    const { client } = await signedIn(["customers:read"]);
    expect((await client.get("/studio/customers")).status).toBe(200);
    const out = await client.post("/studio/signout", {});
    expect(out.status, await out.clone().text()).toBe(303);
    expect(out.headers.get("location")).toBe("/studio/signin?notice=signedout");
    expect(out.headers.getSetCookie().join()).toMatch(/unison_studio=;.*Max-Age=0/);
    expect(client.cookies.has("unison_studio")).toBe(false);
    const customers = await client.get("/studio/customers");
    expect(customers.status).toBe(303);
    expect(customers.headers.get("location")).toBe(`/studio/signin?next=${encodeURIComponent("/studio/customers")}`);
    expect(await html(await client.get("/studio/signin?notice=signedout"), 200)).toContain("Signed out.");
  });

  it("sign-out of a staff session without the CSRF token or from another origin is 403 and the session stays", async () => {
    const { client } = await signedIn(["customers:read"]);
    expect((await client.post("/studio/signout", {}, { csrf: null })).status).toBe(403);
    expect((await client.post("/studio/signout", {}, { csrf: "0".repeat(64) })).status).toBe(403);
    expect((await client.post("/studio/signout", {}, { origin: "https://evil.example" })).status).toBe(403);
    expect(client.cookies.has("unison_studio")).toBe(true);
    expect((await client.get("/studio/customers")).status).toBe(200);
  });

  it("sign-out with a stale session cookie clears it and goes to sign-in", async () => {
    const studio = await studioApp();
    const client = studio.client();
    client.cookies.set("unison_studio", `unison_sk_${"0".repeat(48)}`);
    const out = await client.post("/studio/signout", {}, { csrf: null });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toMatch(/^\/studio\/signin/);
    expect(out.headers.getSetCookie().join()).toMatch(/unison_studio=;.*Max-Age=0/);
    expect(client.cookies.has("unison_studio")).toBe(false);
  });

  it("POST without or with a wrong CSRF token, or from another origin, is 403 and changes nothing", async () => {
    const { client, key, api } = await signedIn();
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/title/en", "Hijacked");
    const noToken = new Map(fields);
    noToken.delete("_csrf");
    expect((await client.post(PRODUCT, noToken, { csrf: null })).status).toBe(403);
    expect((await client.post(PRODUCT, new Map([...fields, ["_csrf", "0".repeat(64)]]))).status).toBe(403);
    expect((await client.post(PRODUCT, fields, { origin: "https://evil.example" })).status).toBe(403);
    expect((await client.post(`${PRODUCT}/publish`, { _version: "2" }, { csrf: "nope" })).status).toBe(403);
    const { body } = await api(key, "GET", API_PRODUCT);
    expect(body.version).toBe(2);
    expect(body.draft.title.en).toBe("Merino crew sweater");
  });
});

describe("editing", () => {
  it("saves a product title through If-Match: the version increments and the audit log names the key", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    expect(fields.get("_version")).toBe("2");
    fields.set("/title/en", "Merino crew sweater, navy");
    const res = await client.post(PRODUCT, fields);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PRODUCT}?notice=saved`);
    const { body } = await api(key, "GET", API_PRODUCT);
    expect(body.version).toBe(3);
    expect(body.draft.title.en).toBe("Merino crew sweater, navy");
    expect(body.draft.title.fr).toBe("Pull col rond en mérinos");
    const page = await html(await client.get(`${PRODUCT}?notice=saved`), 200);
    expect(page).toContain("Draft saved.");
    // The base title changed under the SMS override: the page flags it as stale, with a confirm button.
    expect(textOf(page, "f-overrides-sms-en-title-stale")).toContain("Merino crew sweater");
    const audit = await api(key, "GET", `${API_PRODUCT}/audit`);
    expect(audit.body.data[0]).toMatchObject({ action: "product.update", fromVersion: 2, toVersion: 3 });
  });

  it("saves prices, stock and overrides each through their own API operation", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/variants/0/prices/EUR", "79.50");
    fields.set("stock:MER-CRE-SWE-S-NAVY", "40");
    fields.set("/overrides/chat/en/title", "Merino crew (chat)");
    fields.set("/media/0/alt/en", "A navy merino sweater, folded");
    expect((await client.post(PRODUCT, fields)).status).toBe(303);
    const { body } = await api(key, "GET", API_PRODUCT);
    expect(body.draft.variants[0].prices.EUR).toBe(7950);
    expect(body.draft.media[0].alt.en).toBe("A navy merino sweater, folded");
    expect(body.draft.overrides).toContainEqual(
      expect.objectContaining({ channel: "chat", locale: "en", field: "title", value: "Merino crew (chat)" }),
    );
    const inventory = await api(key, "GET", "/v1/admin/inventory/MER-CRE-SWE-S-NAVY");
    expect(inventory.body.stock).toBe(40);
    const actions = (await api(key, "GET", `${API_PRODUCT}/audit`)).body.data.map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["product.update", "product.variant.update", "product.override.set"]));
  });

  it("shows a validation error next to its field and writes nothing", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/media/0/url", "http://insecure.example/sweater.png");
    fields.set("/variants/1/prices/EUR", "eighty");
    fields.set("/title/en", "");
    const page = await html(await client.post(PRODUCT, fields), 400);
    expect(textOf(page, "f-media-0-url-error")).toBeNull(); // field errors are reported once the studio-side checks pass
    expect(textOf(page, "f-variants-1-prices-EUR-error")).toBe("Enter an amount such as 89.00.");
    expect(textOf(page, "f-title-en-error")).toBe("Required in the default locale (en).");
    expect(page).toMatch(/id="f-title-en"[^>]*aria-invalid="true"[^>]*aria-describedby="f-title-en-error"/);
    // The editor's input is kept.
    expect(page).toContain('value="eighty"');

    fields.set("/variants/1/prices/EUR", "89.00");
    fields.set("/title/en", "Merino crew sweater");
    const second = await html(await client.post(PRODUCT, fields), 400);
    expect(textOf(second, "f-media-0-url-error")).toBe("Use an https URL or a /media/… path.");
    expect((await api(key, "GET", API_PRODUCT)).body.version).toBe(2);
  });

  it("a stale save shows the conflict with both versions and overwrites nothing", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    // Someone else saves first, through the API.
    const theirs = await api(key, "PATCH", API_PRODUCT, { summary: { en: "Their summary." } }, 2);
    expect(theirs.status).toBe(200);
    fields.set("/summary/en", "My summary.");
    const page = await html(await client.post(PRODUCT, fields), 409);
    expect(page).toContain("Someone else saved first");
    const rows = page.match(
      /<tr><th scope="row">Summary \(en\)<\/th><td class="yours" dir="auto">([^<]*)<\/td><td class="theirs" dir="auto">([^<]*)<\/td>/,
    );
    expect(rows?.slice(1)).toEqual(["My summary.", "Their summary."]);
    // Fields the editor did not touch are not offered for re-applying (their change stays).
    expect(page).not.toContain("Title (en)</th>");
    expect((await api(key, "GET", API_PRODUCT)).body.draft.summary.en).toBe("Their summary.");

    // Re-applying the kept change on the current version saves it deliberately.
    const reapply = formFields(
      page.replace(`<form method="post" action="${PRODUCT}">`, `<form id="reapply" method="post" action="${PRODUCT}">`),
      "reapply",
    );
    expect(reapply.get("_version")).toBe("3");
    expect((await client.post(PRODUCT, reapply)).status).toBe(303);
    const after = (await api(key, "GET", API_PRODUCT)).body;
    expect(after).toMatchObject({ version: 4, draft: { summary: { en: "My summary." } } });
  });

  it("edits a message's long and short forms and its validity window", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const path = "/studio/messages/winter_sale";
    const fields = formFields(await html(await client.get(path), 200), "edit");
    expect(fields.get("/endsAt")).toBe("2027-01-06T00:00:00");
    fields.set("/short/en", "WINTER20: 20% off knitwear until 10 Jan");
    fields.set("/endsAt", "2027-01-10T00:00");
    fields.set("/facts/dates", "2027-01-10");
    fields.set("/body/en", "Use code WINTER20 at checkout for 20% off all knitwear until 10 January 2027.");
    expect((await client.post(path, fields)).status).toBe(303);
    const { body } = await api(key, "GET", "/v1/admin/messages/winter_sale");
    expect(body.draft).toMatchObject({
      endsAt: "2027-01-10T00:00:00Z",
      short: { en: "WINTER20: 20% off knitwear until 10 Jan" },
      facts: { dates: ["2027-01-10"] },
    });

    fields.set("/startsAt", "2027-02-01T00:00");
    const page = await html(await client.post(path, fields), 400);
    expect(textOf(page, "f-endsAt-error")).toBe("endsAt must be after startsAt.");
  });

  it("edits an action's labels and refuses a compliance keyword next to its field", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const path = "/studio/actions/add_to_cart";
    const fields = formFields(await html(await client.get(path), 200), "edit");
    fields.set("/label/fr", "Mettre au panier");
    expect((await client.post(path, fields)).status).toBe(303);
    expect((await api(key, "GET", "/v1/admin/actions/add_to_cart")).body.draft.label.fr).toBe("Mettre au panier");
    const again = formFields(await html(await client.get(path), 200), "edit");
    again.set("/keyword", "STOP");
    const page = await html(await client.post(path, again), 400);
    expect(textOf(page, "f-keyword-error")).toBe("This keyword is reserved for SMS compliance.");
  });
});

describe("the preview", () => {
  it("renders the unsaved draft on every channel, format and locale, and writes nothing", async () => {
    const { client, key, api } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/title/en", "Merino crew, preview only");
    fields.set("/overrides/sms/en/title", "Merino preview");
    // What the page's script sends: the form, asking for the fragment only.
    const res = await client.post(`${PRODUCT}/preview`, fields, { headers: { "x-studio-fragment": "1" } });
    const fragment = await html(res, 200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    for (const locale of ["en", "fr"]) {
      for (const channel of ["web", "mobile", "sms", "chat", "agent"]) expect(fragment).toContain(`id="pv-${locale}-${channel}"`);
    }
    // The agent's CommonMark source, escaped once more for the page, and its tool calls.
    expect(fragment).toContain(
      '<pre class="agent" dir="auto" data-channel="agent" tabindex="0" aria-label="Agent text (en)"># Merino crew, preview only',
    );
    expect(fragment).toContain("<li><code>Add to cart: add_to_cart {&quot;sku&quot;:&quot;MER-CRE-SWE-S-NAVY&quot;}</code></li>");
    for (const format of ["generic", "whatsapp", "slack", "telegram", "messenger"]) {
      expect(fragment.match(new RegExp(`data-format="${format}"`, "g"))?.length).toBe(2);
    }
    // The web page is an escaped, sandboxed srcdoc; the SMS bubble carries its encoding and segments.
    expect(fragment).toMatch(/<iframe class="web" title="Web page preview \(en\)" sandbox="" srcdoc="&lt;!doctype html&gt;/);
    expect(fragment).not.toContain("<html");
    expect(fragment).toContain("Merino crew, preview only&lt;/h1&gt;");
    expect(textOf(fragment, "pv-en-sms")).toContain("Merino preview - €89.00");
    expect(textOf(fragment, "pv-en-sms")).toMatch(/GSM-7 · [1-3] segment\(s\) · \d+ units/);
    expect(fragment).toContain('data-ok="true"');
    expect((await api(key, "GET", API_PRODUCT)).body.version).toBe(2);
  });

  it("without JavaScript, the Preview button answers with the whole page and the edits kept", async () => {
    const { client } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/title/en", "Merino crew, no script");
    const page = await html(await client.post(`${PRODUCT}/preview`, fields), 200);
    expect(page).toContain("<!doctype html>");
    expect(page).toContain('value="Merino crew, no script"');
    expect(page).toContain("For your unsaved edits.");
  });

  it("lists each violation with its channel, rule and a link to the field that caused it", async () => {
    const { client } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/overrides/sms/en/title", `Merino ${"very ".repeat(120)}long`);
    const fragment = await html(await client.post(`${PRODUCT}/preview`, fields, { headers: { "x-studio-fragment": "1" } }), 200);
    expect(fragment).toContain('data-ok="false"');
    expect(fragment).toMatch(
      /<li><strong>sms<\/strong> <code>fact_missing<\/code> — <a href="#f-overrides-sms-en-title">SMS title \(en\)<\/a>: The price &quot;€89.00&quot; does not appear/,
    );
  });

  it("shows field errors instead of a preview when the edits do not parse", async () => {
    const { client } = await signedIn(EDITOR);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/variants/0/lowStockThreshold", "-1");
    const fragment = await html(await client.post(`${PRODUCT}/preview`, fields), 200);
    expect(fragment).toContain(
      '<a href="#f-variants-0-lowStockThreshold">MER-CRE-SWE-S-NAVY low-stock threshold</a>: Enter a whole number.',
    );
    expect(fragment).not.toContain("<iframe");
  });
});

describe("publishing", () => {
  async function breakParity(client: Awaited<ReturnType<typeof signedIn>>["client"]) {
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/overrides/sms/en/title", `Merino ${"very ".repeat(120)}long`);
    expect((await client.post(PRODUCT, fields)).status).toBe(303);
    return formFields(await html(await client.get(PRODUCT), 200), "edit").get("_version") as string;
  }

  it("is disabled while violations remain, and a publish attempt is refused with the violations shown", async () => {
    const { client, key, api } = await signedIn(PUBLISHER);
    const version = await breakParity(client);
    const page = await html(await client.get(PRODUCT), 200);
    expect(page).toMatch(
      /<button type="submit" name="_mode" value="publish" disabled aria-describedby="publish-blocked">Publish<\/button>/,
    );
    const refused = await html(await client.post(`${PRODUCT}/publish`, { _version: version, _mode: "publish" }), 422);
    expect(refused).toContain("Publish refused: Publishing would make channels disagree");
    expect(refused).toMatch(/<li><strong>sms<\/strong> <code>fact_missing<\/code> — <a href="#f-overrides-sms-en-title">/);
    expect((await api(key, "GET", API_PRODUCT)).body.publishedRevision).toBe(1);
  });

  it("forcing needs the catalog:publish scope and a reason, and lands in the audit log", async () => {
    const editor = await signedIn(EDITOR);
    const version = await breakParity(editor.client);
    const page = await html(await editor.client.get(PRODUCT), 200);
    expect(page).not.toContain("Force publish");
    const noScope = await html(
      await editor.client.post(`${PRODUCT}/publish`, { _version: version, _mode: "force", reason: "Launch day" }),
      403,
    );
    expect(noScope).toContain("Your key cannot publish: it needs the catalog:publish scope.");

    const publisher = editor.client;
    const key = await editor.newKey(...PUBLISHER);
    await publisher.signIn(key);
    const noReason = await html(await publisher.post(`${PRODUCT}/publish`, { _version: version, _mode: "force", reason: "" }), 400);
    expect(textOf(noReason, "force-reason-error")).toBe("Give a reason of at least 3 characters.");
    const forced = await publisher.post(`${PRODUCT}/publish`, {
      _version: version,
      _mode: "force",
      reason: "Launch day, SMS fixed tomorrow",
    });
    expect(forced.status).toBe(303);
    expect(forced.headers.get("location")).toBe(`${PRODUCT}?notice=forced`);
    const audit = await html(await publisher.get(`${PRODUCT}/audit`), 200);
    expect(audit).toContain("product.publish_forced");
    expect(audit).toContain("Launch day, SMS fixed tomorrow");

    // The dashboard now lists the live violation, by channel and rule, with a link to the product.
    const dashboard = await html(await publisher.get("/studio"), 200);
    expect(dashboard).toMatch(/<tr><th scope="row">sms<\/th><td>[1-9]\d*<\/td><\/tr>/);
    expect(dashboard).toMatch(/<tr><th scope="row"><code>fact_missing<\/code><\/th><td>[1-9]/);
    expect(dashboard).toContain('<a href="/studio/products/merino-crew-sweater">product merino-crew-sweater</a>');
  });

  it("publishes a clean draft, unpublishes it, and the delivery API follows", async () => {
    const { client, key, api } = await signedIn(PUBLISHER);
    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/title/en", "Merino crew sweater, navy");
    fields.set("/overrides/sms/en/title", "Merino crew, navy");
    expect((await client.post(PRODUCT, fields)).status).toBe(303);
    const edit = formFields(await html(await client.get(PRODUCT), 200), "edit");
    const published = await client.post(`${PRODUCT}/publish`, { _version: edit.get("_version") as string, _mode: "publish", note: "Navy" });
    expect(published.headers.get("location")).toBe(`${PRODUCT}?notice=published`);
    const live = await api(key, "GET", "/v1/products/merino-crew-sweater?locale=en");
    expect(JSON.stringify(live.body)).toContain("Merino crew sweater, navy");

    const version = formFields(await html(await client.get(PRODUCT), 200), "edit").get("_version") as string;
    const page = await html(await client.get(PRODUCT), 200);
    const unpublishVersion = page.match(
      /action="\/studio\/products\/merino-crew-sweater\/unpublish">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<input type="hidden" name="_version" value="(\d+)">/,
    )?.[1];
    expect(unpublishVersion).toBe(version);
    expect((await client.post(`${PRODUCT}/unpublish`, { _version: version })).status).toBe(303);
    expect((await api(key, "GET", "/v1/products/merino-crew-sweater")).status).toBe(404);
  });
});

describe("revisions, audit and lists", () => {
  it("diffs any two revisions and rolls back to one", async () => {
    const { client, key, api } = await signedIn(PUBLISHER);
    const fields = formFields(await html(await client.get("/studio/products/wool-scarf"), 200), "edit");
    fields.set("/title/en", "Lambswool scarf, long");
    expect((await client.post("/studio/products/wool-scarf", fields)).status).toBe(303);
    const v = formFields(await html(await client.get("/studio/products/wool-scarf"), 200), "edit").get("_version") as string;
    expect((await client.post("/studio/products/wool-scarf/publish", { _version: v, _mode: "publish" })).status).toBe(303);

    const diff = await html(await client.get("/studio/products/wool-scarf/revisions?from=1&to=2"), 200);
    expect(diff).toContain("Changes from #1 to #2");
    expect(diff).toMatch(
      /<tr class="replace"><td>replace<\/td><td><code>\/title\/en<\/code><\/td><td dir="auto">Lambswool scarf<\/td><td dir="auto">Lambswool scarf, long<\/td><\/tr>/,
    );
    const versionField = diff.match(/name="revision" value="1">/);
    expect(versionField).not.toBeNull();
    const current = (await api(key, "GET", "/v1/admin/products/wool-scarf")).body.version;
    const rolled = await client.post("/studio/products/wool-scarf/rollback", { _version: String(current), revision: "1" });
    expect(rolled.status).toBe(303);
    const live = await api(key, "GET", "/v1/products/wool-scarf?locale=en");
    expect(live.body.title).toBe("Lambswool scarf");
    const audit = await html(await client.get("/studio/products/wool-scarf/audit"), 200);
    expect(audit).toContain("product.rollback");
  });

  it("searches and filters products by status, violations and stale overrides", async () => {
    const { client } = await signedIn(EDITOR);
    const search = await html(await client.get("/studio/products?q=wool"), 200);
    expect(search).toContain('href="/studio/products/wool-scarf"');
    expect(search).not.toContain('href="/studio/products/camp-stove"');
    expect(await html(await client.get("/studio/products?status=stale"), 200)).toContain("0 products shown.");

    const fields = formFields(await html(await client.get(PRODUCT), 200), "edit");
    fields.set("/title/en", "Merino crew sweater, navy");
    expect((await client.post(PRODUCT, fields)).status).toBe(303);
    const stale = await html(await client.get("/studio/products?status=stale"), 200);
    expect(stale).toContain("1 product shown.");
    expect(stale).toContain(`href="${PRODUCT}"`);
    const violations = await html(await client.get("/studio/products?status=violations"), 200);
    expect(violations).toContain("1 product shown.");
    const dashboard = await html(await client.get("/studio"), 200);
    expect(dashboard).toContain(`href="${PRODUCT}#f-overrides-sms-en-title"`);
    expect(await html(await client.get("/studio/messages?status=published"), 200)).toContain('href="/studio/messages/winter_sale"');
  });

  it("every studio page is valid HTML and carries the studio's CSP", async () => {
    const { client } = await signedIn(PUBLISHER);
    const validator = new HtmlValidate({ extends: ["html-validate:recommended"], rules: { "doctype-style": "off", "long-title": "off" } });
    const anonymous = (await studioApp()).client();
    const pages: [string, Response][] = [["/studio/signin", await anonymous.get("/studio/signin")]];
    for (const path of [
      "/studio",
      "/studio/products",
      "/studio/products?status=violations",
      PRODUCT,
      `${PRODUCT}/revisions?from=1&to=draft`,
      `${PRODUCT}/audit`,
      "/studio/messages",
      "/studio/messages/winter_sale",
      "/studio/actions",
      "/studio/actions/add_to_cart",
    ]) {
      pages.push([path, await client.get(path)]);
    }
    for (const [path, res] of pages) {
      const text = await html(res, 200);
      expect(res.headers.get("content-security-policy"), path).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      const report = await validator.validateString(text);
      expect({ path, messages: report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`)) }).toEqual({
        path,
        messages: [],
      });
    }
  });

  it("serves its script and stylesheet with a year of immutable caching", async () => {
    const studio = await studioApp();
    const page = await html(await studio.client().get("/studio/signin"), 200);
    const script = (page.match(/<script src="([^"]+)" defer>/)?.[1] ?? "").replaceAll("&#x3D;", "=");
    expect(script).toMatch(/^\/studio\/assets\/studio\.js\?v=/);
    const res = await studio.app.request(script);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await studio.app.request("/studio/assets/other.js")).status).toBe(404);
  });
});
