/**
 * Spec-driven fuzzing (issue #13, reliability suite): for every operation in
 * /openapi.json, fast-check generates path parameters, query strings, headers
 * and bodies — plausible and hostile — with no key, a bad key, a read-only key
 * and an admin key. Promises checked on every request:
 *   - no response is 5xx;
 *   - every error is application/problem+json with a stable code, and its
 *     status is one the operation documents;
 *   - a rejected request (4xx) leaves a checksum of every table unchanged.
 * The run is seeded (FUZZ_SEED to replay) and bounded (FUZZ_RUNS per operation).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; schema?: { enum?: unknown[]; type?: string } }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

let t: TestApp;
let keys: Record<string, Record<string, string>>;
let operations: Operation[];

beforeAll(async () => {
  t = await createTestApp({
    checkContract: false,
    config: {
      RATE_LIMIT_PER_MINUTE: "0",
      TWILIO_AUTH_TOKEN: "fuzz-token-0123456789",
      WHATSAPP_APP_SECRET: "fuzz-secret",
      WHATSAPP_VERIFY_TOKEN: "fuzz-verify",
      TELEGRAM_SECRET_TOKEN: "fuzz-telegram",
      SLACK_SIGNING_SECRET: "fuzz-slack-secret",
    },
  });
  await importContent(
    t.db,
    await readContentDir(join(import.meta.dirname, "../../content")),
    { keyId: null, now: t.now },
    { publish: true },
  );
  keys = {
    none: {},
    bad: { authorization: "Bearer unison_sk_notakeynotakeynotakey" },
    reader: await t.auth("catalog:read"),
    admin: await t.auth("admin"),
  };
  const spec = (await (await t.app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
  operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
});

/** A checksum of every row of every table (what a rejected request must not change). */
function checksum(): string {
  const hash = createHash("sha256");
  const tables = t.db.client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) {
    hash.update(name);
    for (const row of t.db.client.prepare(`SELECT * FROM "${name}"`).raw().iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest("hex");
}

const KNOWN = ["merino-crew-sweater", "returns_policy", "view_cart", "add_to_cart", "fr", "en", "MER-CREW-NAVY-M", "draft", "1"];
const text = fc.oneof(
  fc.constantFrom(...KNOWN),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", "%00", "..", "../../etc/passwd", "a".repeat(600), "<script>", "-1", "1e309", "null"),
);
const value = (p: { schema?: { enum?: unknown[] } }) =>
  p.schema?.enum ? fc.oneof(fc.constantFrom(...p.schema.enum.map(String)), text) : fc.oneof(text, fc.integer().map(String));
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom("title", "slug", "input", "url", "channel", "identity", "events", "price", "stock", "status", "name", "scopes"),
      fc.jsonValue({ maxDepth: 3 }),
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom("{", "[1,", '{"a":1}}', "\u0000", "{}", "null", `{"input":${"[".repeat(100)}${"]".repeat(100)}}`),
);

const stats = { requests: 0, fiveHundreds: 0, undocumented: 0, notProblem: 0, changedOnRejection: 0 };

it(`fuzzes every operation of /openapi.json (${RUNS} runs each, seed ${SEED}): no 5xx, problem+json, no change on rejection`, {
  timeout: 240_000,
}, async () => {
  expect(operations.length).toBeGreaterThan(40);
  const failures: string[] = [];
  let before = checksum();
  for (const op of operations) {
    const params = op.parameters ?? [];
    const request = fc.record({
      path: fc.tuple(...params.filter((p) => p.in === "path").map((p) => value(p).map((v) => [p.name, v] as const))),
      query: fc
        .subarray(params.filter((p) => p.in === "query"))
        .chain((ps) => fc.tuple(...ps.map((p) => value(p).map((v) => [p.name, v] as const)))),
      key: fc.constantFrom("none", "bad", "reader", "admin"),
      body,
      ifMatch: fc.option(fc.constantFrom('"v1"', '"v2"', "*", "garbage"), { nil: undefined }),
      idempotency: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let url = op.path;
        for (const [name, v] of r.path) url = url.replace(`{${name}}`, encodeURIComponent(v));
        const search = new URLSearchParams(r.query.map(([k, v]) => [k, v] as [string, string])).toString();
        const headers: Record<string, string> = { ...keys[r.key] };
        if (r.ifMatch) headers["if-match"] = r.ifMatch;
        if (r.idempotency) headers["idempotency-key"] = r.idempotency;
        const hasBody = r.body !== undefined && op.method !== "GET" && op.method !== "HEAD";
        if (hasBody) headers["content-type"] = op.method === "PATCH" ? "application/merge-patch+json" : "application/json";
        const res = await t.app.request(`${url}${search ? `?${search}` : ""}`, {
          method: op.method,
          headers,
          body: hasBody ? r.body : undefined,
        });
        stats.requests++;
        const what = `${op.method} ${url}?${search} [${r.key}] ${hasBody ? String(r.body).slice(0, 80) : ""} → ${res.status}`;
        const payload = await res.text();
        if (res.status >= 500) {
          stats.fiveHundreds++;
          failures.push(`5xx: ${what} ${payload.slice(0, 200)}`);
        }
        if (res.status >= 400) {
          // A key that is sent must be valid, on every route (even public ones): 401 invalid_api_key is the global rule.
          const globalRule = res.status === 401 && r.key === "bad";
          if (!(String(res.status) in op.responses) && !globalRule && res.status !== 404 && res.status !== 405) {
            stats.undocumented++;
            failures.push(`undocumented: ${what}`);
          }
          const problem = (() => {
            try {
              return JSON.parse(payload) as { status?: number; code?: string };
            } catch {
              return null;
            }
          })();
          // The ACP checkout routes answer the Agentic Commerce Protocol's flat error ({ type, code, message }) instead.
          const acp = url.startsWith("/checkout_sessions") && res.headers.get("content-type")?.startsWith("application/json");
          const acpError = acp && typeof (problem as { type?: unknown; message?: unknown } | null)?.message === "string" && !!problem?.code;
          if (
            acp
              ? !acpError
              : !res.headers.get("content-type")?.startsWith("application/problem+json") || problem?.status !== res.status || !problem.code
          ) {
            stats.notProblem++;
            failures.push(`not problem+json: ${what}`);
          }
          const after = checksum();
          if (after !== before) {
            stats.changedOnRejection++;
            failures.push(`changed on rejection: ${what}`);
          }
          before = after;
        } else {
          before = checksum();
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }
  console.log(
    `reliability: fuzz ${stats.requests} requests over ${operations.length} operations; 5xx ${stats.fiveHundreds}; undocumented status ${stats.undocumented}; non-problem errors ${stats.notProblem}; rejected-but-changed ${stats.changedOnRejection}`,
  );
  if (process.env.FUZZ_DEBUG) console.log([...new Set(failures.map((f) => f.replace(/\?.*→/, " →").slice(0, 90)))].join("\n"));
  expect(failures.slice(0, 30)).toEqual([]);
});
