/**
 * The oracle of stored answers (src/catalogue/answers.ts): what `GET /v1/products/{slug}` would send if
 * nothing were stored — the product's row read, its view built, serialized — for a locale and base URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { answerBasis, withBase } from "../../src/catalogue/answers";
import { fallbackChain, loadLocales, saveLocale } from "../../src/catalogue/locales";
import { findLiveProduct, productView } from "../../src/catalogue/products";
import type { Database } from "../../src/db/client";
import { parseConfig } from "../../src/env";
import { strongEtag } from "../../src/lib/etag";
import { createApiKey } from "../../src/lib/keys";
import { serve } from "../../src/node";
import { openSqlite, type SqliteDatabase } from "../../src/node/sqlite";
import { expectStatus } from "./app";
import { DEMO_NOW } from "./demo";

/** The base URL stored answers and pages are tested under. */
export const STORE_BASE = "https://shop.example";
const dirs: string[] = [];
const open: SqliteDatabase[] = [];

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Closes `db` after the test. */
export function track<T extends SqliteDatabase>(db: T): T {
  open.push(db);
  return db;
}

/** Closes `db` now (a child process is to open its file). */
export function release(db: SqliteDatabase): void {
  db.close();
  open.splice(open.indexOf(db), 1);
}

/** A real SQLite file with the en and fr locales (closed and removed after the test). */
export async function fileDb(): Promise<{ db: SqliteDatabase; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), "unison-answers-"));
  dirs.push(dir);
  const path = join(dir, "unison.db");
  const db = openSqlite(path);
  open.push(db);
  await saveLocale(db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, DEMO_NOW);
  await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, DEMO_NOW);
  return { db, path };
}

/** The app as `npm start` builds it, on `db`, with its own base URL (and more settings). */
export function appOn(db: SqliteDatabase, baseUrl = STORE_BASE, settings: Record<string, string> = {}, registry = renderers) {
  const logs: string[] = [];
  const app = createApp({
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: baseUrl, RATE_LIMIT_PER_MINUTE: "0", ...settings }),
    clock: () => DEMO_NOW,
    log: (line) => logs.push(line),
    renderers: registry,
    platforms,
  });
  let editor: Promise<{ authorization: string }> | undefined;
  const key = () =>
    (editor ??= createApiKey(db, { name: "editor", scopes: ["catalog:read", "catalog:write", "catalog:publish"] }, DEMO_NOW).then((k) => ({
      authorization: `Bearer ${k.secret}`,
    })));
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: {
        ...(method === "GET" ? {} : await key()),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    app,
    logs,
    request,
    editor: key,
    get: (path: string, headers: Record<string, string> = {}) => request("GET", path, undefined, headers),
  };
}

/** The server `npm start` runs, on `db`, its outbound ticks (and the stored answers' and pages' upkeep) every 20 ms. */
export function serveTicking(db: SqliteDatabase) {
  return serve({ db, port: 0, host: "127.0.0.1", env: { LOG_REQUESTS: "false", WEBHOOK_INTERVAL_MS: "20" }, print: () => {} });
}

/** Creates and publishes a product through the API (the publish request builds its answers). */
export async function publish(t: ReturnType<typeof appOn>, doc: Record<string, unknown>) {
  await expectStatus(await t.request("POST", "/v1/admin/products", doc), 201);
  await expectStatus(await t.request("POST", `/v1/admin/products/${doc.slug}/publish`, undefined, { "if-match": '"v1"' }), 200);
}

/** The answer built from the product's row, as the read builds it when no stored answer is usable. */
export async function builtAnswer(db: Database, slug: string, locale: string, baseUrl: string): Promise<string | null> {
  const live = await findLiveProduct(db, slug);
  if (!live) return null;
  const locales = await loadLocales(db);
  return JSON.stringify(productView(live.doc, live.stock, live, { locales, locale, chain: fallbackChain(locales, locale), baseUrl }));
}

/** The product's stored answers, locale → body (with the base URL's mark), whatever their basis. */
export function storedAnswers(db: SqliteDatabase, slug: string): Record<string, { basis: string; body: string }> {
  const rows = db.client.prepare("SELECT locale, basis, body FROM product_answers WHERE slug = ?").all(slug) as {
    locale: string;
    basis: string;
    body: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.locale, { basis: r.basis, body: r.body }]));
}

/**
 * For every active locale: the API's bytes and ETag are the built answer's, and (unless `stored` is false) a
 * stored answer under the current locale set exists and, with the base URL filled in, is those same bytes.
 */
export async function expectAnswersAreBuilt(
  db: SqliteDatabase,
  request: (path: string) => Promise<Response>,
  slug: string,
  baseUrl: string,
  stored = true,
): Promise<void> {
  const locales = await loadLocales(db);
  const kept = storedAnswers(db, slug);
  for (const { code } of locales.rows) {
    const built = await builtAnswer(db, slug, code, baseUrl);
    expect(built, `${slug} ${code}`).not.toBeNull();
    const res = await request(`/v1/products/${slug}?locale=${code}`);
    expect(res.status, `${slug} ${code}`).toBe(200);
    expect(await res.text(), `${slug} ${code}: the bytes sent`).toBe(built);
    expect(res.headers.get("etag"), `${slug} ${code}: the tag sent`).toBe(strongEtag(built!));
    if (stored) {
      expect(kept[code]?.basis, `${slug} ${code}: stored for this locale set`).toBe(answerBasis(locales));
      expect(withBase(kept[code]!.body, baseUrl), `${slug} ${code}: the stored bytes`).toBe(built);
    }
  }
}
