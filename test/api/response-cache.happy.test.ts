/**
 * The in-process response cache of public delivery reads (src/lib/response-cache.ts):
 * it answers repeated reads from memory, and never once the data changed — a publish,
 * a stock move, or a commit by another connection to the same file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { importContent } from "../../src/catalogue/content";
import { saveLocale } from "../../src/catalogue/locales";
import { parseConfig } from "../../src/env";
import { openSqlite } from "../../src/node/sqlite";
import { createTestApp, expectStatus, patchDraft, requester, type TestApp } from "../helpers/app";
import { productDoc } from "../helpers/db";

async function withProduct(config: Record<string, string> = {}) {
  const t = await createTestApp({ config });
  const editor = await t.auth("catalog:write", "catalog:publish");
  const created = await expectStatus(
    await t.request("POST", "/v1/admin/products", {
      body: { ...productDoc("wool-hat"), variants: [{ sku: "WOOL-HAT-M", options: { size: "M" }, prices: { EUR: 2500 }, stock: 9 }] },
      headers: editor,
    }),
    201,
  );
  await expectStatus(
    await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": `"v${created.version}"` } }),
    200,
  );
  return { t, editor };
}

/** Changes the draft's English title and publishes it (each step with the version it read). */
async function republishTitle(t: TestApp, editor: Record<string, string>, title: string) {
  const patched = await patchDraft(t, editor, "/v1/admin/products/wool-hat", { title: { en: title } });
  await expectStatus(
    await t.request("POST", "/v1/admin/products/wool-hat/publish", { headers: { ...editor, "if-match": `"v${patched.version}"` } }),
    200,
  );
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("response cache: public delivery reads until the data changes", () => {
  it("answers a repeated read from memory with the same bytes, its own request id, and says so in Cache-Status", async () => {
    const { t } = await withProduct();
    const first = await t.request("GET", "/v1/products/wool-hat");
    expect(first.headers.get("cache-status")).toBe("unison; fwd=uri-miss; stored");
    const second = await t.request("GET", "/v1/products/wool-hat");
    expect(second.headers.get("cache-status")).toBe("unison; hit");
    expect(await second.text()).toBe(await first.text());
    const names = (res: Response) => [...res.headers.keys()].filter((n) => n !== "cache-status" && n !== "x-request-id").sort();
    expect(names(second)).toEqual(names(first));
    // Rate-limit headers count this request; everything else is the stored representation.
    for (const name of names(first).filter((n) => !n.startsWith("ratelimit"))) {
      expect(second.headers.get(name), name).toBe(first.headers.get(name));
    }
    expect(second.headers.get("ratelimit")).toMatch(/r=\d+/);
    expect(second.headers.get("x-request-id")).toMatch(/^[\w-]{36}$/);
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));

    const notModified = await t.request("GET", "/v1/products/wool-hat", { headers: { "if-none-match": first.headers.get("etag")! } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("cache-status")).toBe("unison; hit");
    expect(notModified.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(await notModified.text()).toBe("");
  });

  it("keys answers by Accept-Language and the full query", async () => {
    const { t } = await withProduct();
    const en = await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200);
    const fr = await t.request("GET", "/v1/products/wool-hat", { headers: { "accept-language": "fr-FR,fr;q=0.9" } });
    expect(fr.headers.get("content-language")).toBe("fr");
    expect(((await fr.json()) as { title: string }).title).not.toBe(en.title);
    const byQuery = await t.request("GET", "/v1/products/wool-hat?locale=fr");
    expect(byQuery.headers.get("cache-status")).toBe("unison; fwd=uri-miss; stored");
    expect(byQuery.headers.get("content-language")).toBe("fr");
    const again = await t.request("GET", "/v1/products/wool-hat");
    expect(again.headers.get("cache-status")).toBe("unison; hit");
    expect(again.headers.get("content-language")).toBe("en");
  });

  it("forgets everything on a write: a publish and a stock move are seen by the very next read", async () => {
    const { t, editor } = await withProduct();
    await t.request("GET", "/v1/products/wool-hat");
    expect((await t.request("GET", "/v1/products/wool-hat")).headers.get("cache-status")).toBe("unison; hit");

    await republishTitle(t, editor, "Felted wool hat");
    const republished = await t.request("GET", "/v1/products/wool-hat");
    expect(republished.headers.get("cache-status")).toBe("unison; fwd=stale; stored");
    expect(((await republished.json()) as { title: string }).title).toBe("Felted wool hat");

    const inv = await t.request("GET", "/v1/admin/inventory/WOOL-HAT-M", { headers: editor });
    await expectStatus(
      await t.request("PUT", "/v1/admin/inventory/WOOL-HAT-M", {
        body: { stock: 0 },
        headers: { ...editor, "if-match": inv.headers.get("etag")! },
      }),
      200,
    );
    const soldOut = await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200);
    expect(soldOut.availability).toBe("out_of_stock");
  });

  it("sees a commit by another connection to the same file (a CLI import while the server runs) on a read a millisecond later", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unison-cache-"));
    dirs.push(dir);
    const file = join(dir, "shop.db");
    const server = openSqlite(file);
    const now = new Date("2026-11-24T12:00:00Z");
    const ctx = { keyId: null, now };
    await saveLocale(server, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, now);
    await saveLocale(server, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, now);
    const bundle = (doc: unknown) => ({
      locales: null,
      products: [{ path: "products/wool-hat.json", data: doc }],
      messages: [],
      actions: [],
    });
    expect((await importContent(server, bundle(productDoc("wool-hat")), ctx)).problems).toEqual([]);
    const app = createApp({
      renderers,
      platforms,
      resolveDb: () => server,
      config: parseConfig({ PUBLIC_BASE_URL: "https://shop.example", LOG_REQUESTS: "false" }),
      clock: () => now,
    });
    const request = requester(app);
    const before = await expectStatus(await request("GET", "/v1/products/wool-hat"), 200);
    expect((await request("GET", "/v1/products/wool-hat")).headers.get("cache-status")).toBe("unison; hit");

    const cli = openSqlite(file);
    const report = await importContent(
      cli,
      bundle(productDoc("wool-hat", { title: { en: "Imported elsewhere", fr: "Importé ailleurs" } })),
      ctx,
    );
    expect(report.problems).toEqual([]);
    cli.close();
    // Another process's commit is seen by every read that starts 1 ms after it (src/node/sqlite.ts).
    await new Promise((resolve) => setTimeout(resolve, 2));

    const after = await request("GET", "/v1/products/wool-hat");
    expect(after.headers.get("cache-status")).toBe("unison; fwd=stale; stored");
    const view = (await after.json()) as { title: string };
    expect(view.title).toBe("Imported elsewhere");
    expect(view.title).not.toBe(before.title);
    server.close();
  });

  it("the SQLite change stamp moves on the next read after this connection's write, and 1 ms after another connection's commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unison-stamp-"));
    dirs.push(dir);
    const file = join(dir, "shop.db");
    const server = openSqlite(file);
    const other = openSqlite(file);
    const now = new Date("2026-11-24T12:00:00Z");
    const stamp = () => server.changeStamp!();
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      let before = stamp();
      await saveLocale(server, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, now);
      expect(stamp()).not.toBe(before);
      // Stamps taken in one burst agree; the other connection's commit shows once a millisecond has passed.
      before = stamp();
      expect(stamp()).toBe(before);
      await saveLocale(other, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, now);
      await wait(2);
      const after = stamp();
      expect(after).not.toBe(before);
      await wait(2);
      expect(stamp()).toBe(after);
    } finally {
      other.close();
      server.close();
    }
  });

  it("reads the change stamp once per delivery read, cache on or off, and checks stored answers against the live database", async () => {
    for (const entries of ["2048", "0"]) {
      const { t, editor } = await withProduct({ RESPONSE_CACHE_ENTRIES: entries });
      // Counts the real driver's stamp reads (src/node/sqlite.ts `changeStamp`): the request's memos (locales,
      // the product's bytes) and the response cache share one.
      const stampOf = t.db.changeStamp!.bind(t.db);
      let reads = 0;
      t.db.changeStamp = () => {
        reads++;
        return stampOf();
      };
      await republishTitle(t, editor, "Wool hat, once");
      reads = 0;
      const miss = await t.request("GET", "/v1/products/wool-hat?locale=fr");
      expect(miss.status).toBe(200);
      expect(reads).toBe(1);
      reads = 0;
      const again = await t.request("GET", "/v1/products/wool-hat?locale=fr");
      expect(again.headers.get("cache-status")).toBe(entries === "0" ? null : "unison; hit");
      expect(reads).toBe(1);
      // The entry is checked against the database, not the stamp the storing request kept: a publish is seen.
      await republishTitle(t, editor, "Wool hat, twice");
      const after = await expectStatus(await t.request("GET", "/v1/products/wool-hat"), 200);
      expect(after.title).toBe("Wool hat, twice");
    }
  });

  it("does not serve keyed requests, private delivery, time-dependent messages, or failures from memory", async () => {
    const { t } = await withProduct();
    const reader = await t.auth("catalog:read");
    await t.request("GET", "/v1/products/wool-hat");
    const keyed = await t.request("GET", "/v1/products/wool-hat", { headers: reader });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get("cache-status")).toBeNull();

    expect((await t.request("GET", "/v1/messages")).headers.get("cache-status")).toBeNull();

    for (let i = 0; i < 2; i++) {
      const missing = await t.request("GET", "/v1/products/no-such-hat");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("cache-status")).toBe("unison; fwd=uri-miss");
    }
    for (let i = 0; i < 2; i++) {
      const invalid = await t.request("GET", "/v1/products?limit=1000");
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get("cache-status")).toBe("unison; fwd=uri-miss");
    }

    const { t: closed } = await withProduct({ DELIVERY_REQUIRES_KEY: "true" });
    const key = await closed.auth("catalog:read");
    await closed.request("GET", "/v1/products/wool-hat", { headers: key });
    const privately = await closed.request("GET", "/v1/products/wool-hat", { headers: key });
    expect(privately.status).toBe(200);
    expect(privately.headers.get("cache-status")).toBeNull();
  });

  it("answers from memory with the pipeline's request id and log line; credentials in the query and HEAD are routed", async () => {
    const { t } = await withProduct({ LOG_REQUESTS: "true" });
    await t.request("GET", "/v1/products/wool-hat");
    t.logs.length = 0;
    const hit = await t.request("GET", "/v1/products/wool-hat", { headers: { "x-request-id": "trace-7" } });
    expect(hit.headers.get("cache-status")).toBe("unison; hit");
    expect(hit.headers.get("x-request-id")).toBe("trace-7");
    const forged = await t.request("GET", "/v1/products/wool-hat", { headers: { "x-request-id": "no spaces allowed" } });
    expect(forged.headers.get("x-request-id")).toMatch(/^[\w-]{36}$/);
    const lines = t.logs.map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ requestId: "trace-7", method: "GET", path: "/v1/products/wool-hat", status: 200, keyId: null });
    expect(typeof lines[0].ms).toBe("number");
    expect(lines[1].requestId).toBe(forged.headers.get("x-request-id"));

    // A key in the URL is refused every time: such a URL is never stored, so never answered from memory.
    for (let i = 0; i < 2; i++) {
      const refused = await t.request("GET", "/v1/products/wool-hat?api_key=unison_sk_leaked");
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe("credentials_in_query");
    }
    const head = await t.app.request("/v1/products/wool-hat", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-status")).not.toBe("unison; hit");
    expect(await head.text()).toBe("");
  });

  it("RESPONSE_CACHE_ENTRIES=0 turns it off", async () => {
    const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: "0" });
    await t.request("GET", "/v1/products/wool-hat");
    const again = await t.request("GET", "/v1/products/wool-hat");
    expect(again.status).toBe(200);
    expect(again.headers.get("cache-status")).toBeNull();
  });

  it("answers each channel's render of a product from memory too, with its content type, until a publish", async () => {
    const { t, editor } = await withProduct();
    for (const path of [
      "/v1/render/web/products/wool-hat",
      "/v1/render/sms/products/wool-hat",
      "/v1/render/chat/products/wool-hat?format=slack",
    ]) {
      const first = await t.request("GET", path);
      expect(first.status, path).toBe(200);
      const second = await t.request("GET", path);
      expect(second.headers.get("cache-status"), path).toBe("unison; hit");
      expect(second.headers.get("content-type")).toBe(first.headers.get("content-type"));
      expect(second.headers.get("x-unison-degradations")).toBe(first.headers.get("x-unison-degradations"));
      expect(await second.text()).toBe(await first.text());
    }
    await republishTitle(t, editor, "Felted wool hat");
    const page = await t.request("GET", "/v1/render/web/products/wool-hat");
    expect(page.headers.get("cache-status")).toBe("unison; fwd=stale; stored");
    expect(await page.text()).toContain("Felted wool hat");
    // Message renders depend on the clock (validity windows): never from memory.
    expect((await t.request("GET", "/v1/render/sms/messages/no-such-message")).headers.get("cache-status")).toBeNull();
  });
});

describe("response cache admission", () => {
  it("once full, stores a new answer only when its URL was asked for more often than the answer it would evict", async () => {
    const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: "2" });
    const status = async (path: string) => (await t.request("GET", path)).headers.get("cache-status");
    const [a, b, c] = ["/v1/products/wool-hat", "/v1/products/wool-hat?locale=en", "/v1/products/wool-hat?locale=fr"];
    expect(await status(a)).toBe("unison; fwd=uri-miss; stored");
    expect(await status(b)).toBe("unison; fwd=uri-miss; stored");
    // Full: asked for once, as often as the oldest answer (a, once): it goes through unstored, and both stay.
    expect(await status(c)).toBe("unison; fwd=uri-miss");
    // Asked for twice now, more than a: it takes a's place.
    expect(await status(c)).toBe("unison; fwd=uri-miss; stored");
    expect(await status(c)).toBe("unison; hit");
    // a, asked for twice in all, is not asked for more often than b (once, plus a hit): it goes through and b stays.
    expect(await status(b)).toBe("unison; hit");
    expect(await status(a)).toBe("unison; fwd=uri-miss");
    expect(await status(b)).toBe("unison; hit");
    expect(await status(c)).toBe("unison; hit");
  });

  it("keeps what it holds under traffic spread evenly over many more URLs than it holds (no churn)", async () => {
    const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: "4" });
    const status = async (path: string) => (await t.request("GET", path)).headers.get("cache-status");
    const held = [1, 2, 3, 4].map((n) => `/v1/products?limit=${n}`);
    for (const path of held) expect(await status(path)).toBe("unison; fwd=uri-miss; stored");
    for (const path of held) expect(await status(path)).toBe("unison; hit");
    // Twelve other URLs, each asked for twice as uniform reads over a large catalogue would: none is asked for more
    // often than what is held, so none is stored and nothing is evicted (storing each second miss churned the cache).
    for (let round = 0; round < 2; round++) {
      for (let n = 10; n < 22; n++) expect(await status(`/v1/products?limit=${n}`)).toBe("unison; fwd=uri-miss");
    }
    for (const path of held) expect(await status(path)).toBe("unison; hit");
  });
});

describe("RESPONSE_CACHE_BYTES", () => {
  it("0 turns the cache off", async () => {
    const { t } = await withProduct({ RESPONSE_CACHE_BYTES: "0" });
    for (let i = 0; i < 2; i++) expect((await t.request("GET", "/v1/products/wool-hat")).headers.get("cache-status")).toBeNull();
  });

  it("keeps no more than the budget: an answer larger than it is never kept, two where one fits evict each other", async () => {
    const [a, b] = ["/v1/products/wool-hat?locale=en", "/v1/products/wool-hat?locale=fr"];
    const { t: off } = await withProduct({ RESPONSE_CACHE_ENTRIES: "0" });
    const size = new TextEncoder().encode(await (await off.request("GET", a)).text()).byteLength;
    // What an answer weighs: its bytes, its key (path, query and Accept-Language, two bytes a character), 512 of bookkeeping.
    const weight = size + (a.length + 1) * 2 + 512;
    const { t: tiny } = await withProduct({ RESPONSE_CACHE_BYTES: String(weight - 1) });
    for (let i = 0; i < 3; i++) expect((await tiny.request("GET", a)).headers.get("cache-status")).toBe("unison; fwd=uri-miss");
    const { t: one } = await withProduct({ RESPONSE_CACHE_BYTES: String(weight + 100) });
    const status = async (path: string) => (await one.request("GET", path)).headers.get("cache-status");
    expect(await status(a)).toBe("unison; fwd=uri-miss; stored");
    expect(await status(a)).toBe("unison; hit");
    // Full with one answer: b is kept once asked for more often than a (TinyLFU admission), and a is gone.
    for (let i = 0; i < 3; i++) await status(b);
    expect(await status(b)).toBe("unison; hit");
    expect(await status(a)).not.toBe("unison; hit");
    // The product grows past the whole budget: the stale answer is not replaced by one too large to keep, and goes.
    one.db.client
      .prepare("UPDATE published_products SET document = json_set(document, '$.description.fr', ?) WHERE slug = 'wool-hat'")
      .run("Une longue description. ".repeat(100));
    expect(await status(b)).toBe("unison; fwd=stale");
    expect(await status(b)).toBe("unison; fwd=uri-miss");
  });
});

describe("a product's bytes are remembered once", () => {
  /**
   * Counts the reads of a product's bytes by slug: its stored answer (src/catalogue/answers.ts) or its row (the real
   * better-sqlite3 statements storedAnswer and findLiveProduct prepare).
   */
  function productReads(t: TestApp) {
    const statement = Object.getPrototypeOf(t.db.client.prepare("SELECT 1")) as { all: (...args: unknown[]) => unknown };
    const all = statement.all;
    let reads = 0;
    statement.all = function (this: { source: string }, ...args: unknown[]) {
      if (/from "(published_products|product_answers)" where \(?"\1"\."slug" = \?/.test(this.source)) reads++;
      return all.apply(this, args);
    };
    return {
      count: () => reads,
      restore: () => {
        statement.all = all;
      },
    };
  }

  it("by the memo when the response cache does not keep the answer (cache off, a keyed read), by the cache alone when it does", async () => {
    for (const [entries, keyed] of [
      ["0", false],
      ["2048", true],
    ] as const) {
      const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: entries });
      const headers = keyed ? await t.auth("catalog:read") : {};
      const reads = productReads(t);
      try {
        for (let i = 0; i < 3; i++) {
          const res = await t.request("GET", "/v1/products/wool-hat?locale=fr", { headers });
          expect(res.status).toBe(200);
          expect(res.headers.get("cache-status")).toBeNull();
        }
        expect(reads.count(), `entries ${entries}, keyed ${keyed}`).toBe(1);
      } finally {
        reads.restore();
      }
    }
    // Kept by the response cache: a read it does not answer (full, a first sighting, then a second miss) reads the row.
    const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: "1" });
    const reads = productReads(t);
    try {
      const status = async (path: string) => (await t.request("GET", path)).headers.get("cache-status");
      expect(await status("/v1/products/wool-hat")).toBe("unison; fwd=uri-miss; stored");
      expect(await status("/v1/products/wool-hat?locale=fr")).toBe("unison; fwd=uri-miss");
      expect(await status("/v1/products/wool-hat?locale=fr")).toBe("unison; fwd=uri-miss; stored");
      expect(await status("/v1/products/wool-hat?locale=fr")).toBe("unison; hit");
      expect(reads.count()).toBe(3);
    } finally {
      reads.restore();
    }
  });

  it("READ_MEMO_BYTES bounds the memo: 0 reads the product every time, a budget its answer outweighs never keeps it", async () => {
    const path = "/v1/products/wool-hat?locale=fr";
    const { t: sized } = await withProduct({ RESPONSE_CACHE_ENTRIES: "0" });
    const answer = await (await sized.request("GET", path)).text();
    for (const [bytes, expected] of [
      ["0", 3],
      [String(answer.length), 3],
      [String(64 * 1024), 1],
    ] as const) {
      const { t } = await withProduct({ RESPONSE_CACHE_ENTRIES: "0", READ_MEMO_BYTES: bytes });
      const reads = productReads(t);
      try {
        for (let i = 0; i < 3; i++) expect((await t.request("GET", path)).status).toBe(200);
        expect(reads.count(), `READ_MEMO_BYTES ${bytes}`).toBe(expected);
      } finally {
        reads.restore();
      }
    }
  });
});
