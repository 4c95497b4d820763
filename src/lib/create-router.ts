/**
 * One router factory for every area. Its `defaultHook` turns each zod
 * validation failure into the same 400 problem, pointing at every failing
 * field by JSON Pointer (one shared defaultHook: docs/architecture.md, "A request's path").
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { validationError } from "./errors";

const WHERE = { json: "body", query: "query", param: "path", header: "header", form: "body", cookie: "header" } as const;

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) {
        const where = WHERE[result.target as keyof typeof WHERE] ?? "body";
        throw validationError(result.error.issues, where);
      }
    },
  });
}

export type Router = ReturnType<typeof createRouter>;
