/**
 * docs/architecture.md, "The published contract": the served OpenAPI document is the contract. It validates and
 * lints clean with a standard tool and documents every operation (the typed
 * client generated from it: typed-client.test.ts).
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { beforeAll, describe, expect, it } from "vitest";
import { CACHEABLE_DELIVERY } from "../../src/routes/delivery/delivery.index";
import { createTestApp } from "../helpers/app";

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
};
let spec: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
let source: string;

const METHODS = ["get", "post", "put", "patch", "delete"];
const operations = () =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op })),
  );

beforeAll(async () => {
  const t = await createTestApp();
  const res = await t.request("GET", "/openapi.json");
  source = await res.text();
  spec = JSON.parse(source);
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and lints clean with Redocly's recommended rules", async () => {
    expect(spec.openapi).toBe("3.1.0");
    const config = await createConfig({
      extends: ["recommended"],
      rules: {
        // The document names the server it is served from; in tests that is http://localhost.
        "no-server-example.com": "off",
      },
    });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    // 0 errors, 0 warnings: nothing is filtered out.
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it("has no allOf of closed objects (no instance could satisfy both under a strict validator)", () => {
    const closed = (s: unknown): boolean => {
      const schema = s as { $ref?: string; additionalProperties?: unknown };
      const target = schema.$ref ? (spec.components.schemas[schema.$ref.split("/").pop()!] as typeof schema) : schema;
      return target?.additionalProperties === false;
    };
    const offenders: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== "object") return;
      const allOf = (node as { allOf?: unknown[] }).allOf;
      if (allOf && allOf.filter(closed).length > 1) offenders.push(at);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    };
    walk(spec, "#");
    expect(offenders).toEqual([]);
  });

  it("documents every operation: unique id, summary, description, tags, security, a problem response, and examples", () => {
    const ids = new Set<string>();
    const bodySchemasWithoutExamples: string[] = [];
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toBeTruthy();
      expect(ids.has(op.operationId!), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary, where).toBeTruthy();
      expect((op.description ?? "").length, where).toBeGreaterThan(20);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      expect(op.security, where).toBeDefined();
      // The ACP checkout operations answer errors in the Agentic Commerce Protocol's own flat shape (AcpError).
      const acpError = (r: { content?: Record<string, unknown> }) =>
        JSON.stringify(r.content?.["application/json"] ?? "").includes("AcpError");
      const problems = Object.entries(op.responses).filter(
        ([status, r]) =>
          Number(status) >= 400 && (r.content?.["application/problem+json"] || (path.startsWith("/checkout_sessions") && acpError(r))),
      );
      expect(problems.length, `${where}: problem responses`).toBeGreaterThan(0);
      const json = op.requestBody?.content["application/json"];
      if (json && !JSON.stringify(json).includes('"example')) bodySchemasWithoutExamples.push(where);
    }
    expect(ids.size).toBeGreaterThan(60);
    // Request bodies name schemas whose fields carry examples; the resolved component must have some.
    for (const where of bodySchemasWithoutExamples) {
      const [method, path] = where.split(" ") as [string, string];
      const ref = JSON.stringify(spec.paths[path]![method.toLowerCase()]!.requestBody).match(/#\/components\/schemas\/([\w.-]+)/)?.[1];
      expect(ref, `${where}: body schema`).toBeTruthy();
      expect(JSON.stringify(spec.components.schemas[ref!]), `${where}: examples in ${ref}`).toMatch(/"example/);
    }
  });
});

describe("tags", () => {
  it("every tag an operation uses is declared with a description", async () => {
    const t = await createTestApp();
    const doc = JSON.parse(await (await t.request("GET", "/openapi.json")).text());
    const declared = new Map((doc.tags as { name: string; description?: string }[]).map((tag) => [tag.name, tag.description]));
    const used = new Set<string>();
    for (const item of Object.values(doc.paths as Record<string, Record<string, { tags?: string[] }>>)) {
      for (const op of Object.values(item)) for (const tag of op.tags ?? []) used.add(tag);
    }
    for (const tag of used) expect(declared.get(tag), tag).toBeTruthy();
  });

  it("declares Cache-Status on exactly the GET operations the response cache serves", () => {
    const served = operations()
      .filter(({ method, path }) => method === "get" && CACHEABLE_DELIVERY.test(path.replace(/\{[^}]+\}/g, "x")))
      .map(({ op }) => op.operationId);
    expect(served.sort()).toEqual(["getProduct", "listActions", "listDeliveryOptions", "listLocales", "listProducts", "renderProduct"]);
    for (const { op } of operations()) {
      const declared = Object.keys(op.responses["200"]?.headers ?? {}).includes("Cache-Status");
      expect(declared, op.operationId).toBe(served.includes(op.operationId));
    }
  });
});
