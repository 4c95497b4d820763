/**
 * `defineRoute` wraps `createRoute` with what every Unison operation shares:
 * its scope (enforced by middleware and declared as OpenAPI security, so a
 * route × scope matrix can be derived from the spec), and the error responses
 * every route can give.
 */
import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { ApiError, errorResponses } from "./errors";
import { hasScope, type Scope } from "./keys";

export const SECURITY_SCHEME = "apiKey";

/** Enforces a scope: no key → 401, key without the scope → 403. `optional` lets configuration open delivery reads. */
export function requireScope(scope: Scope, options: { publicWhen?: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => boolean } = {}) {
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (options.publicWhen?.(c)) return next();
    const principal = c.get("principal");
    if (!principal) {
      throw new ApiError("unauthorized", `This operation needs an API key with the "${scope}" scope: Authorization: Bearer <key>.`, {
        headers: { "www-authenticate": `Bearer realm="unison", scope="${scope}"` },
      });
    }
    if (!hasScope(principal, scope)) {
      throw new ApiError("insufficient_scope", `This key lacks the "${scope}" scope.`, {
        headers: { "www-authenticate": `Bearer realm="unison", error="insufficient_scope", scope="${scope}"` },
      });
    }
    return next();
  };
  return middleware;
}

type Config = Omit<RouteConfig, "security" | "middleware"> & {
  /** The scope this operation needs. */
  scope: Scope;
  /** Delivery reads: public unless configuration requires a key. */
  publicRead?: boolean;
};

/**
 * @example
 * const route = defineRoute({ method: "get", path: "/v1/products/{slug}", scope: "catalog:read", publicRead: true, ... });
 */
export function defineRoute<const C extends Config>(config: C) {
  const { scope, publicRead, responses, ...rest } = config;
  const errors = publicRead ? errorResponses(400, 401, 403, 429, 500) : errorResponses(400, 401, 403, 415, 429, 500);
  const scopeNote = publicRead
    ? `\n\nPublic by default; when the server sets \`DELIVERY_REQUIRES_KEY=true\` it needs a key with the \`${scope}\` scope.`
    : `\n\nNeeds an API key with the \`${scope}\` scope (or \`admin\`).`;
  return createRoute({
    ...rest,
    description: `${rest.description ?? ""}${scopeNote}`,
    security: publicRead ? [{}, { [SECURITY_SCHEME]: [scope] }] : [{ [SECURITY_SCHEME]: [scope] }],
    middleware: [requireScope(scope, publicRead ? { publicWhen: (c) => !c.get("config").DELIVERY_REQUIRES_KEY } : {})] as const,
    responses: { ...errors, ...responses },
  } as RouteConfig) as unknown as Omit<C, "scope" | "publicRead"> & { middleware: [MiddlewareHandler<AppEnv>] };
}

/**
 * The JSON body a route declares for a status: what a handler that sends its own bytes (an ETag over
 * them, a stored replay) is checked against, as `c.json(body, status)` is.
 *
 * @example
 * return jsonWithEtag<JsonBody<typeof listLocales>>(c, { data });
 */
export type JsonBody<R extends { responses: object }, S extends number = 200> = S extends keyof R["responses"]
  ? R["responses"][S] extends { content: { "application/json": { schema: infer Z extends z.ZodType } } }
    ? z.output<Z>
    : never
  : never;
