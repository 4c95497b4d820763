/**
 * docs/architecture.md, "The published contract": every response the test suite sees matches the published contract — the
 * `/openapi.json` partners generate clients from, not the zod schemas behind it. Each response is
 * checked against its operation in that document: the status must be listed (no allowance for
 * "global" statuses: the document lists them), the media type declared, and a JSON body valid
 * against the declared schema (ajv, JSON Schema 2020-12, formats on).
 *
 * Every operation × status checked is recorded; with CONTRACT_COVERAGE_DIR set, each test process
 * appends what it checks there as it goes (scripts/contract-coverage.ts sums it up).
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { App } from "../../src/app";

type Json = any;

interface Operation {
  id: string;
  method: string;
  path: string;
  pattern: RegExp;
  params: number;
}

interface Contract {
  doc: Json;
  ajv: Ajv2020;
  operations: Operation[];
}

const DOC_ID = "https://unison.test/openapi.json";
const cache = new WeakMap<object, Promise<Contract>>();
/** `operationId status` pairs checked in this process. */
export const checked = new Set<string>();

const coverageDir = process.env.CONTRACT_COVERAGE_DIR;
let coverageFile: string | undefined;
/** Records a checked pair; with CONTRACT_COVERAGE_DIR, appends it at once (a test worker may end without an exit event). */
function record(pair: string): void {
  if (checked.has(pair)) return;
  checked.add(pair);
  if (!coverageDir) return;
  if (!coverageFile) {
    mkdirSync(coverageDir, { recursive: true });
    coverageFile = join(coverageDir, `${process.pid}-${randomUUID()}.txt`);
  }
  appendFileSync(coverageFile, `${pair}\n`);
}

/** The published document of an app (or of the server at `origin`), compiled once. */
async function contractOf(source: App | string): Promise<Contract> {
  const key = typeof source === "string" ? contractKeys(source) : source;
  let contract = cache.get(key);
  if (!contract) {
    contract = (async () => {
      const res = typeof source === "string" ? await fetch(`${source}/openapi.json`) : await source.request("/openapi.json");
      const doc: Json = await res.json();
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      ajv.addSchema({ ...doc, $id: DOC_ID });
      const operations: Operation[] = [];
      for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
        for (const [method, op] of Object.entries(item)) {
          if (!op?.responses) continue;
          operations.push({
            id: op.operationId ?? `${method} ${path}`,
            method: method.toUpperCase(),
            path,
            pattern: new RegExp(`^${path.replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
            params: (path.match(/\{/g) ?? []).length,
          });
        }
      }
      // A literal segment beats a parameter (/v1/admin/products/import before /{slug}).
      operations.sort((a, b) => a.params - b.params);
      return { doc, ajv, operations };
    })();
    cache.set(key, contract);
  }
  return contract;
}

const originKeys = new Map<string, object>();
/** One cache key per server origin. */
function contractKeys(origin: string): object {
  const key = originKeys.get(origin) ?? {};
  originKeys.set(origin, key);
  return key;
}

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

/**
 * Throws with a readable message when a response breaks the published contract; returns silently otherwise.
 * `app` is the app in-process, or the origin of a running server (`http://127.0.0.1:…`).
 */
export async function checkResponse(app: App | string, method: string, path: string, response: Response): Promise<void> {
  const contract = await contractOf(app);
  const pathname = new URL(path, "http://x").pathname;
  const wanted = method === "HEAD" ? "GET" : method.toUpperCase();
  const op = contract.operations.find((o) => o.method === wanted && o.pattern.test(pathname));
  if (!op) return; // not an operation of the document (/docs, /media, /studio, a 404 for an unknown path, a 405)
  const status = response.status;
  const where = `${method} ${path} → ${status}`;
  let declared = contract.doc.paths[op.path][op.method.toLowerCase()].responses[String(status)];
  if (!declared) throw new Error(`Contract: ${where} is not a listed response of ${op.id} in /openapi.json.`);
  let responsePointer = pointer("paths", op.path, op.method.toLowerCase(), "responses", String(status));
  if (declared.$ref) {
    responsePointer = declared.$ref.slice(2);
    declared = responsePointer
      .split("/")
      .reduce((node: Json, part: string) => node[part.replace(/~1/g, "/").replace(/~0/g, "~")], contract.doc);
  }
  record(`${op.id} ${status}`);
  if (status === 304 || method === "HEAD" || !declared.content) return;
  const type = response.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
  const media = declared.content[type];
  if (!media) throw new Error(`Contract: ${where} has content type "${type}", listed: ${Object.keys(declared.content).join(", ")}.`);
  if (!media.schema || !/json$/.test(type)) return;
  const text = await response.clone().text();
  const validate = contract.ajv.getSchema(`${DOC_ID}#/${responsePointer}/content/${pointer(type)}/schema`);
  if (!validate) throw new Error(`Contract: no schema to compile for ${where}.`);
  if (!validate(JSON.parse(text))) {
    const issues = (validate.errors ?? []).slice(0, 6).map((e) => `${e.instancePath || "/"}: ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(`Contract: ${where} body does not match /openapi.json:\n  ${issues.join("\n  ")}`);
  }
}

/**
 * `fetch` against a running server (Node or workerd), every response checked against that
 * server's own /openapi.json like the in-process requests are: a mismatch throws.
 *
 * @example
 * const call = checkedFetch(server.url);
 * const res = await call("/v1/products", { headers: { "accept-language": "fr" } });
 */
export function checkedFetch(origin: string): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init = {}) => {
    const response = await fetch(`${origin}${path}`, init);
    await checkResponse(origin, init.method ?? "GET", path, response);
    return response;
  };
}
