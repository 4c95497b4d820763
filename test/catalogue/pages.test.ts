/**
 * Stored product pages (src/channels/pages.ts, migrations/0016): the storefront's `/products/{slug}` composes a
 * product's stored head and main section into each request's frame, and those bytes must be, byte for byte,
 * what rendering the page whole gives. The oracle is the same storefront on the same file through its own
 * connection (its own memos), with a registry whose web renderer cannot cut pages. These tests try to make a
 * stored page lie: an action relabelled, a locale edited, a stock move, an unpublish, a write that bypasses the
 * app, a base URL that escaping changes, a document holding a mark, a database whose pages were never built.
 */
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { BASE_MARK } from "../../src/catalogue/answers";
import { importContent } from "../../src/catalogue/content";
import { loadLocales, saveLocale } from "../../src/catalogue/locales";
import { firstStalePage, maintainAnswers, markStalePages } from "../../src/catalogue/products";
import { pageBuilder, pagesBasis } from "../../src/channels/pages";
import { readContentDir } from "../../src/cli/content-files";
import type { Registry } from "../../src/consistency/engine";
import { openSqlite, type SqliteDatabase } from "../../src/node/sqlite";
import { appOn, fileDb, publish, release, STORE_BASE, serveTicking, track } from "../helpers/answers";
import { expectStatus } from "../helpers/app";
import { unison } from "../helpers/cli";
import { productDoc } from "../helpers/db";
import { CONTENT_DIR, DEMO_NOW } from "../helpers/demo";

const site = renderers.web.site!;
const pages = site.productPages!;
const builder = pageBuilder(site)!;
/** The same registry, its web renderer unable to cut pages: every product page is rendered whole. */
const whole: Registry = { ...renderers, web: { ...renderers.web, site: { ...site, productPages: undefined } } };

/** The demo catalogue imported into a real file with its pages stored; the storefront, and its whole-render oracle. */
async function demoStore(options: { withPages?: boolean } = {}) {
  const { db, path } = await fileDb();
  const report = await importContent(
    db,
    await readContentDir(CONTENT_DIR),
    { keyId: null, now: DEMO_NOW },
    { pages: options.withPages === false ? undefined : builder },
  );
  expect(report.problems).toEqual([]);
  const slugs = db.client.prepare("SELECT slug FROM published_products ORDER BY slug").pluck().all() as string[];
  expect(slugs.length).toBeGreaterThan(30);
  return { db, path, slugs, t: appOn(db), oracle: oracleOn(path) };
}

function oracleOn(path: string, baseUrl = STORE_BASE) {
  return appOn(track(openSqlite(path)), baseUrl, {}, whole);
}

/** Stored pages, slug/locale → page basis and whether a page is stored. */
function storedPages(db: SqliteDatabase): Map<string, { basis: string | null; page: string | null }> {
  const rows = db.client.prepare("SELECT slug, locale, page_basis AS basis, page FROM product_answers").all() as {
    slug: string;
    locale: string;
    basis: string | null;
    page: string | null;
  }[];
  return new Map(rows.map((r) => [`${r.slug}/${r.locale}`, { basis: r.basis, page: r.page }]));
}

/**
 * The storefront's product page and the oracle's are the same response, in every locale, asked for with a query (a
 * frame drawn for the page) and without (the frame every product page shares); so are the web renders of
 * `GET /v1/render/web/products/{slug}` (framed without chrome), with their count of degradations.
 */
async function expectSamePage(
  t: ReturnType<typeof appOn>,
  oracle: ReturnType<typeof appOn>,
  slug: string,
  headers: Record<string, string> = {},
): Promise<string[]> {
  const bodies: string[] = [];
  for (const locale of ["en", "fr"]) {
    for (const path of [`/products/${slug}`, `/products/${slug}?locale=${locale}`, `/v1/render/web/products/${slug}?locale=${locale}`]) {
      const asked = { ...headers, "accept-language": locale };
      const [got, want] = [await t.get(path, asked), await oracle.get(path, asked)];
      const body = await got.text();
      expect(got.status, path).toBe(want.status);
      // A problem carries its own request id: the rest is the same.
      const unlike = (text: string) => (got.status === 200 ? text : text.replace(/"requestId":"[^"]*"/, ""));
      expect(unlike(body), `${path}: the bytes sent`).toBe(unlike(await want.text()));
      expect(got.headers.get("etag"), `${path}: the tag sent`).toBe(want.headers.get("etag"));
      expect(got.headers.get("x-unison-degradations"), `${path}: the degradations`).toBe(want.headers.get("x-unison-degradations"));
      if (path.startsWith("/products/") && path.includes("?")) bodies.push(body);
    }
  }
  return bodies;
}

describe("stored product pages", () => {
  it("are stored by an import for every product and locale, and compose to the bytes of a whole render", async () => {
    const { db, slugs, t, oracle } = await demoStore();
    const basis = await pagesBasis(db, await loadLocales(db), pages.format);
    const stored = storedPages(db);
    expect(stored.size).toBe(slugs.length * 2);
    for (const [key, row] of stored) {
      expect(row.basis, key).toBe(basis);
      expect(row.page, key).toContain(BASE_MARK);
    }
    for (const slug of slugs) await expectSamePage(t, oracle, slug);
    // A page whose render degrades (no media: a placeholder image): so does its composed render, and the render
    // endpoint says so as a whole render does.
    await publish(t, productDoc("bare-hat", { media: [] }));
    expect(storedPages(db).get("bare-hat/en")?.page).toBeTruthy();
    await expectSamePage(t, oracle, "bare-hat");
    expect((await t.get("/v1/render/web/products/bare-hat?locale=en")).headers.get("x-unison-degradations")).toBe("1");
  });

  it("are what the storefront sends: the row is not read", async () => {
    const { db, t } = await demoStore();
    db.client.exec(
      "UPDATE product_answers SET page = replace(page, 'Merino crew sweater', 'Planted sweater') WHERE slug = 'merino-crew-sweater' AND locale = 'en'",
    );
    const body = await (await t.get("/products/merino-crew-sweater?locale=en")).text();
    expect(body).toContain("Planted sweater");
    expect(body).toContain(`<link rel="canonical" href="${STORE_BASE}/products/merino-crew-sweater">`);
  });

  it("are never composed once an action is relabelled, and the tick rebuilds them all", async () => {
    const { db, slugs, t, oracle } = await demoStore();
    const before = await pagesBasis(db, await loadLocales(db), pages.format);
    const draft = await expectStatus(await t.get("/v1/admin/actions/add_to_cart", await t.editor()), 200);
    await expectStatus(
      await t.request(
        "PATCH",
        "/v1/admin/actions/add_to_cart",
        { label: { en: "Add to bag" } },
        {
          "if-match": `"v${draft.version}"`,
          "content-type": "application/merge-patch+json",
        },
      ),
      200,
    );
    await expectStatus(
      await t.request("POST", "/v1/admin/actions/add_to_cart/publish", undefined, { "if-match": `"v${draft.version + 1}"` }),
      200,
    );
    // Every stored page still names the old actions: none is composed.
    expect([...storedPages(db).values()].every((r) => r.basis === before)).toBe(true);
    const [en] = await expectSamePage(t, oracle, "ribbed-beanie");
    expect(en).toContain("Add to bag");
    // One tick marks them all due and rebuilds them (the demo is less than a batch).
    expect(await maintainAnswers(db, builder)).toBe(slugs.length);
    const after = await pagesBasis(db, await loadLocales(db), pages.format);
    expect(after).not.toBe(before);
    expect([...storedPages(db).values()].every((r) => r.basis === after && r.page)).toBe(true);
    expect(storedPages(db).get("ribbed-beanie/en")?.page).toContain("Add to bag");
    expect(await markStalePages(db, builder)).toBe(false);
    // What a tick pays to find none: two ranges of the page-basis index, not a read of every row.
    const { sql, params } = firstStalePage(db.orm, after).toSQL();
    const plan = db.client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    expect(plan.map((p) => p.detail).filter((d) => d.includes("product_answers"))).toEqual([
      "SEARCH product_answers USING INDEX product_answers_page_basis (page_basis<?)",
      "SEARCH product_answers USING INDEX product_answers_page_basis (page_basis>?)",
    ]);
    for (const slug of slugs) await expectSamePage(t, oracle, slug);
  });

  it("follow their row and the locales: a stock move, a write that bypasses the app, a locale edit, an unpublish", async () => {
    const { db, t, oracle } = await demoStore();
    // Sold out through the admin API: the write drops the page and its request builds it again.
    const admin = await t.editor();
    const product = await expectStatus(await t.get("/v1/admin/products/ribbed-beanie", admin), 200);
    for (const { sku } of product.draft.variants) {
      const row = await expectStatus(await t.get(`/v1/admin/inventory/${sku}`, admin), 200);
      await expectStatus(
        await t.request("PUT", `/v1/admin/inventory/${sku}`, { stock: 0 }, { ...admin, "if-match": `"v${row.version}"` }),
        200,
      );
    }
    expect(storedPages(db).get("ribbed-beanie/en")?.page).toBeTruthy();
    const [soldOut] = await expectSamePage(t, oracle, "ribbed-beanie");
    expect(soldOut).toContain("OutOfStock");
    // A write no code path of ours made: the row's trigger drops the page.
    db.client.exec(`UPDATE published_products SET stock = '{}' WHERE slug = 'enamel-mug'`);
    expect(storedPages(db).has("enamel-mug/en")).toBe(false);
    await expectSamePage(t, oracle, "enamel-mug");
    // A locale renamed: the locale switcher is the frame's, the pages' basis names the locale set.
    const fr = (await loadLocales(db)).byCode.get("fr")!;
    await saveLocale(
      db,
      { code: "fr", name: "Français (France)", fallback: fr.fallback, default: fr.isDefault, currency: fr.currency },
      fr.version,
      DEMO_NOW,
    );
    expect(storedPages(db).get("merino-crew-sweater/fr")?.page).toBeTruthy();
    await expectSamePage(t, oracle, "merino-crew-sweater");
    // Unpublished: no page, from either.
    const merino = await expectStatus(await t.get("/v1/admin/products/merino-crew-sweater", admin), 200);
    await expectStatus(
      await t.request("POST", "/v1/admin/products/merino-crew-sweater/unpublish", undefined, { "if-match": `"v${merino.version}"` }),
      200,
    );
    expect(storedPages(db).has("merino-crew-sweater/en")).toBe(false);
    expect((await t.get("/products/merino-crew-sweater")).status).toBe(404);
    await expectSamePage(t, oracle, "merino-crew-sweater");
  });

  it("of a database that has none (one upgraded to 0016) are built by the server `npm start` runs, and by `unison migrate`", async () => {
    const { db, path, slugs, t, oracle } = await demoStore({ withPages: false });
    const current = await pagesBasis(db, await loadLocales(db), pages.format);
    const built = (d: SqliteDatabase) => [...storedPages(d).values()].filter((r) => r.basis === current && r.page).length;
    expect([...storedPages(db).values()].every((r) => r.basis === "" && r.page === null)).toBe(true);
    await expectSamePage(t, oracle, "merino-crew-sweater");
    // The server, on its outbound ticks (a batch a tick: the demo is less than one).
    const running = await serveTicking(db);
    try {
      await expect.poll(() => built(db), { timeout: 10_000 }).toBe(slugs.length * 2);
      const served = await (await fetch(`${running.url}/products/merino-crew-sweater`)).text();
      expect(served).toContain(`<link rel="canonical" href="${running.url}/products/merino-crew-sweater">`);
      expect(served).toBe(await (await appOn(track(openSqlite(path)), running.url, {}, whole).get("/products/merino-crew-sweater")).text());
    } finally {
      await running.close();
    }
    // `unison migrate`: all at once, on a file whose pages were all dropped.
    release(db); // closed by the server
    const before = openSqlite(path);
    before.client.exec("UPDATE product_answers SET page_basis = '', page = NULL");
    before.close();
    const migrated = unison(["migrate", "--db", path]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`${slugs.length} product(s) given stored answers.`);
    const after = track(openSqlite(path));
    expect(built(after)).toBe(slugs.length * 2);
    for (const slug of slugs.slice(0, 5)) await expectSamePage(appOn(after), oracleOn(path), slug);
    expect(unison(["migrate", "--db", path]).stdout).not.toContain("given stored answers");
  });

  it("are not composed for a base URL that escaping changes, nor stored for a document holding a mark", async () => {
    const { db, path, t } = await demoStore();
    const odd = "https://cdn.example/a&b=1";
    const [en] = await expectSamePage(appOn(track(openSqlite(path)), odd), oracleOn(path, odd), "merino-crew-sweater");
    expect(en).toContain(`href="https://cdn.example/a&amp;b&#x3D;1/products/merino-crew-sweater"`);
    // A trailing slash is dropped from the configuration: every link made from it has one slash, in the API's
    // answer, the render endpoint's page and the storefront's.
    const slashed = `${STORE_BASE}/shop/`;
    const onSlash = appOn(track(openSqlite(path)), slashed);
    await expectSamePage(onSlash, oracleOn(path, slashed), "merino-crew-sweater");
    for (const link of [
      "/v1/products/merino-crew-sweater",
      "/v1/render/web/products/merino-crew-sweater",
      "/products/merino-crew-sweater",
    ]) {
      const body = await (await onSlash.get(link)).text();
      expect(body, link).toContain(`${STORE_BASE}/shop/products/merino-crew-sweater`);
      expect(body, link).not.toContain("/shop//");
    }
    for (const mark of ["\uFDD0", "\uFDD1", "\uFDEF"]) {
      const slug = `odd-hat-${mark.codePointAt(0)}`;
      await publish(t, productDoc(slug, { title: { en: `Odd ${mark} hat`, fr: "Chapeau" } }));
      expect(storedPages(db).has(`${slug}/en`)).toBe(false);
      const [page] = await expectSamePage(t, oracleOn(path), slug);
      expect(page).toContain(`Odd ${mark} hat`);
    }
  });

  it("are composed in the frame of each request: a cart, a notice, a search query, an address spelled another way, a HEAD", async () => {
    const { t, oracle } = await demoStore();
    const added = await t.app.request("/actions/add_to_cart", {
      method: "POST",
      body: new URLSearchParams({ sku: "MER-CRE-SWE-S-OAT", quantity: "2" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: STORE_BASE },
    });
    expect(added.status).toBe(303);
    const cookies = added.headers.getSetCookie().map((line) => line.split(";")[0]!);
    const session = cookies.find((pair) => pair.startsWith("unison_session="))!;
    const notice = cookies.find((pair) => pair.startsWith("unison_notice="))!;
    expect(notice).toBeTruthy();
    for (const slug of ["merino-crew-sweater", "ribbed-beanie"]) {
      // The session's cart count, in the shared frame of product pages with two items in the cart.
      const [withCart] = await expectSamePage(t, oracle, slug, { cookie: session });
      expect(withCart).toContain("(2)</a>");
      // A one-time notice: the frame is drawn for that page.
      const noticed = await t.get(`/products/${slug}`, { cookie: `${session}; ${notice}` });
      const wanted = await oracle.get(`/products/${slug}`, { cookie: `${session}; ${notice}` });
      const body = await noticed.text();
      expect(body).toContain(`<p class="notice"`);
      expect(body).toBe(await wanted.text());
    }
    // The search box keeps its query; an address spelled with escapes keeps its spelling in the switcher.
    for (const path of [
      "/products/ribbed-beanie?q=%22%3E%3Cb%3Ewool",
      "/products/ribbed%2Dbeanie",
      "/products/ribbed-beanie?",
      "/products/ribbed-beanie?locale=fr&utm_source=mail",
      "/products/ribbed-beanie?locale=fr&locale=en",
    ]) {
      const [got, want] = [await t.get(path), await oracle.get(path)];
      expect(got.status, path).toBe(200);
      expect(await got.text(), path).toBe(await want.text());
    }
    expect(await (await t.get("/products/ribbed%2Dbeanie")).text()).toContain(
      `href="${STORE_BASE}/products/ribbed%2Dbeanie?locale&#x3D;fr"`,
    );
    const head = await t.app.request("/products/ribbed-beanie", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe((await oracle.get("/products/ribbed-beanie")).headers.get("etag"));
  });
});
