import { platforms, renderers } from "../../renderers";
import { type AppDeps, createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { createApiKey, type Scope } from "../../src/lib/keys";
import type { SqliteDatabase } from "../../src/node/sqlite";
import { checkResponse } from "./contract";
import { freshDb } from "./db";

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: SqliteDatabase;
  logs: string[];
  /** A key with these scopes, as an Authorization header. */
  auth(...scopes: Scope[]): Promise<{ authorization: string }>;
  /** Shorthand for JSON requests. */
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  now: Date;
}

/** A full app on a fresh in-memory database (real migrations, en + fr locales), with its log captured. */
export async function createTestApp(
  options: { config?: Record<string, string>; now?: Date; checkContract?: boolean } & Partial<
    Pick<AppDeps, "beforePublish" | "renderers">
  > = {},
): Promise<TestApp> {
  const now = options.now ?? new Date("2026-11-24T12:00:00Z");
  const db = await freshDb(now);
  const logs: string[] = [];
  const app = createApp({
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: "https://shop.example", ...options.config }),
    clock: () => now,
    log: (line) => logs.push(line),
    beforePublish: options.beforePublish,
    renderers: options.renderers ?? renderers,
    platforms,
  });
  return {
    app,
    db,
    logs,
    now,
    async auth(...scopes) {
      const { secret } = await createApiKey(db, { name: `test ${scopes.join(" ")}`, scopes }, now);
      return { authorization: `Bearer ${secret}` };
    },
    request: requester(app, options.checkContract ?? true),
  };
}

/**
 * JSON requests against an app; unless turned off, every response is checked
 * against the operation's declared contract (test/helpers/contract.ts).
 */
export function requester(app: ReturnType<typeof createApp>, checkContract = true): TestApp["request"] {
  return async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await app.request(path, { method, headers, body });
    if (checkContract) await checkResponse(app, method, path, response);
    return response;
  };
}

/** Asserts a status, showing the body when it differs; returns the parsed JSON. */
export async function expectStatus(res: Response, status: number): Promise<any> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The JSON body of a response, loosely typed for assertions. */
export function json(res: Response): Promise<any> {
  return res.json();
}

/** Reads an entry and merge-patches its draft with the version it read (If-Match); returns the patched entry. */
export async function patchDraft(t: TestApp, editor: Record<string, string>, path: string, patch: unknown): Promise<any> {
  const entry = await expectStatus(await t.request("GET", path, { headers: editor }), 200);
  const res = await t.request("PATCH", path, {
    headers: { ...editor, "if-match": `"v${entry.version}"`, "content-type": "application/merge-patch+json" },
    body: patch,
  });
  return expectStatus(res, 200);
}
