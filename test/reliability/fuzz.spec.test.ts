/**
 * Spec-driven fuzzing (issue #13, reliability suite): for every operation in
 * /openapi.json, fast-check generates path parameters, query strings, headers
 * and bodies — valid for the operation's schemas (test/reliability/schema-arbitrary.ts),
 * valid but for one field, and hostile — with no key, a bad key, a read-only key
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
import { schemaArbitraries } from "./schema-arbitrary";

const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; example?: unknown; schema?: Record<string, any> }[];
  requestBody?: { content: Record<string, { schema: Record<string, any> }> };
  responses: Record<string, unknown>;
}

let t: TestApp;
let keys: Record<string, Record<string, string>>;
let operations: Operation[];
let schemas: ReturnType<typeof schemaArbitraries>;

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
  const spec = (await (await t.app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Record<string, any>> };
  };
  schemas = schemaArbitraries(spec.components.schemas);
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
/** A parameter's value: valid for its schema (its example, its enum, a generated value) or hostile text. */
const value = (p: NonNullable<Operation["parameters"]>[number]) =>
  fc.oneof(
    { weight: 2, arbitrary: schemas.valid(p.example !== undefined ? { ...p.schema, example: p.example } : (p.schema ?? {})).map(String) },
    { weight: 1, arbitrary: fc.oneof(text, fc.integer().map(String)) },
  );
const hostile = fc.oneof(
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

/** The body of an operation: valid for its schema, valid but for one field, or hostile; with its content type. */
interface FuzzBody {
  text: string | undefined;
  kind: "valid" | "broken" | "hostile";
  type?: string;
}

function bodyOf(op: Operation): fc.Arbitrary<FuzzBody> {
  const [type, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  const encode = (v: unknown) =>
    type === "application/x-www-form-urlencoded" && v && typeof v === "object"
      ? new URLSearchParams(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)])).toString()
      : JSON.stringify(v);
  const hostileBody = hostile.map((text) => ({ text, kind: "hostile" as const }));
  if (!media) return hostileBody;
  return fc.oneof(
    { weight: 3, arbitrary: schemas.valid(media.schema).map((v) => ({ text: encode(v), kind: "valid" as const, type })) },
    { weight: 2, arbitrary: schemas.broken(media.schema).map((v) => ({ text: encode(v), kind: "broken" as const, type })) },
    { weight: 1, arbitrary: hostileBody },
  );
}

const stats = {
  requests: 0,
  withCredentials: 0,
  withoutCredentials: 0,
  validBodies: 0,
  validBodiesAccepted: 0,
  brokenBodies: 0,
  rejected: 0,
  fiveHundreds: 0,
  undocumented: 0,
  notProblem: 0,
  changedOnRejection: 0,
};
const operationsSeen = new Set<string>();

it(`fuzzes every operation of /openapi.json (${RUNS} runs each, seed ${SEED}): no 5xx, problem+json, no change on rejection`, {
  timeout: 240_000,
}, async () => {
  expect(operations.length).toBeGreaterThan(40);
  const failures: string[] = [];
  let before = checksum();
  for (const op of operations) {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === "path");
    const anyRequest = fc.record({
      path: fc.tuple(...pathParams.map((p) => value(p).map((v) => [p.name, v] as const))),
      query: fc
        .subarray(params.filter((p) => p.in === "query"))
        .chain((ps) => fc.tuple(...ps.map((p) => value(p).map((v) => [p.name, v] as const)))),
      key: fc.constantFrom("none", "bad", "reader", "admin"),
      body: bodyOf(op),
      ifMatch: fc.option(fc.constantFrom('"v1"', '"v2"', "*", "garbage"), { nil: undefined }),
      idempotency: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    });
    // A request a client could mean: the admin key, documented path values, a schema-valid body.
    const plausible = fc.record({
      path: fc.tuple(
        ...pathParams.map((p) =>
          (p.example !== undefined ? fc.constant(String(p.example)) : fc.constantFrom(...KNOWN)).map((v) => [p.name, v] as const),
        ),
      ),
      query: fc.constant([] as (readonly [string, string])[]),
      key: fc.constant("admin"),
      body: op.requestBody ? bodyOf(op).filter((b) => b.kind !== "hostile") : fc.constant<FuzzBody>({ text: undefined, kind: "hostile" }),
      ifMatch: fc.constantFrom('"v1"', undefined),
      idempotency: fc.uuid(),
    });
    const request = fc.oneof(anyRequest, plausible);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let url = op.path;
        for (const [name, v] of r.path) url = url.replace(`{${name}}`, encodeURIComponent(v));
        const search = new URLSearchParams(r.query.map(([k, v]) => [k, v] as [string, string])).toString();
        const headers: Record<string, string> = { ...keys[r.key] };
        if (r.ifMatch) headers["if-match"] = r.ifMatch;
        if (r.idempotency) headers["idempotency-key"] = r.idempotency;
        const hasBody = r.body.text !== undefined && op.method !== "GET" && op.method !== "HEAD";
        if (hasBody) headers["content-type"] = r.body.type ?? (op.method === "PATCH" ? "application/merge-patch+json" : "application/json");
        const res = await t.app.request(`${url}${search ? `?${search}` : ""}`, {
          method: op.method,
          headers,
          body: hasBody ? r.body.text : undefined,
        });
        stats.requests++;
        operationsSeen.add(`${op.method} ${op.path}`);
        if (r.key === "none" || r.key === "bad") stats.withoutCredentials++;
        else stats.withCredentials++;
        if (hasBody && r.body.kind === "valid") {
          stats.validBodies++;
          if (res.status < 300) stats.validBodiesAccepted++;
        }
        if (hasBody && r.body.kind === "broken") stats.brokenBodies++;
        const what = `${op.method} ${url}?${search} [${r.key}] ${hasBody ? String(r.body.text).slice(0, 80) : ""} → ${res.status}`;
        const payload = await res.text();
        if (res.status >= 500) {
          stats.fiveHundreds++;
          failures.push(`5xx: ${what} ${payload.slice(0, 200)}`);
        }
        if (res.status >= 400) {
          stats.rejected++;
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
    `reliability: fuzz | ${stats.requests} requests over ${operationsSeen.size}/${operations.length} operations (${stats.withoutCredentials} without credentials, ${stats.withCredentials} with; ${stats.validBodies} schema-valid bodies, ${stats.validBodiesAccepted} accepted; ${stats.brokenBodies} broken in one field) | 5xx ${stats.fiveHundreds}; undocumented status ${stats.undocumented}; non-problem errors ${stats.notProblem}; ${stats.rejected} rejected, ${stats.changedOnRejection} changed a table`,
  );
  expect(operationsSeen.size).toBe(operations.length);
  expect(stats.withoutCredentials).toBeGreaterThan(operations.length);
  expect(stats.validBodiesAccepted).toBeGreaterThan(0);
  if (process.env.FUZZ_DEBUG) console.log([...new Set(failures.map((f) => f.replace(/\?.*→/, " →").slice(0, 90)))].join("\n"));
  expect(failures.slice(0, 30)).toEqual([]);
});
