/**
 * RELIABILITY 17: every response the test suite sees matches the served
 * contract. Each response is checked against the route's own declared response
 * (status and zod schema, from the app's OpenAPI registry); statuses any route
 * may give (404, 405, 413, 415, 429, 500) must at least be problem documents.
 */
import type { z } from "@hono/zod-openapi";
import type { App } from "../../src/app";

const GLOBAL_PROBLEMS = new Set([404, 405, 413, 415, 429, 500]);

interface Operation {
  method: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema?: z.ZodType }> }>;
}

const cache = new WeakMap<App, Operation[]>();

function operationsOf(app: App): Operation[] {
  let ops = cache.get(app);
  if (!ops) {
    ops = app.openAPIRegistry.definitions
      .filter((d): d is Extract<typeof d, { type: "route" }> => d.type === "route")
      .map((d) => ({
        method: d.route.method.toUpperCase(),
        pattern: new RegExp(`^${d.route.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
        responses: d.route.responses as Operation["responses"],
      }));
    cache.set(app, ops);
  }
  return ops;
}

/** Throws with a readable message when a response breaks the contract; returns silently otherwise. */
export async function checkResponse(app: App, method: string, path: string, response: Response): Promise<void> {
  const pathname = new URL(path, "http://x").pathname;
  const op = operationsOf(app).find((o) => o.method === (method === "HEAD" ? "GET" : method) && o.pattern.test(pathname));
  if (!op) return; // not an OpenAPI operation (/docs, /media, /.well-known)
  const status = response.status;
  const type = response.headers.get("content-type")?.split(";")[0] ?? "";
  const declared = op.responses[String(status)];
  const where = `${method} ${path} → ${status}`;
  if (!declared) {
    if (GLOBAL_PROBLEMS.has(status) && type === "application/problem+json") return;
    throw new Error(`Contract: ${where} is not a declared response of this operation.`);
  }
  if (status === 304 || !declared.content) return;
  const media = declared.content[type];
  if (!media) throw new Error(`Contract: ${where} has content type "${type}", declared: ${Object.keys(declared.content).join(", ")}.`);
  if (!media.schema || !type.endsWith("json")) return;
  const body = JSON.parse(await response.clone().text());
  const parsed = media.schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join("/")}: ${i.message}`);
    throw new Error(`Contract: ${where} body does not match the declared schema:\n  ${issues.join("\n  ")}`);
  }
}
