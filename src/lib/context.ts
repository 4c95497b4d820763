/** What every request carries: injected per request by `createApp` (STYLE: no singletons). */
import type { RenderCache } from "../consistency/cache";
import type { Registry } from "../consistency/engine";
import type { Database } from "../db/client";
import type { Config } from "../env";
import type { Clock } from "./ids";
import type { Principal } from "./keys";

export interface AppEnv {
  Variables: {
    db: Database;
    config: Config;
    clock: Clock;
    principal: Principal | null;
    requestId: string;
    /** The channel renderers (the registry; tests may inject a deliberately broken one). */
    renderers: Registry;
    renderCache: RenderCache;
  };
}

type HeaderReader = { env: unknown; req: { header(name: string): string | undefined } };

/** Node's parsed request headers when `@hono/node-server` passes them (`c.env.incoming`); undefined elsewhere. */
function nodeHeaders(c: HeaderReader): Record<string, string | string[] | undefined> | undefined {
  return (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming?.headers;
}

/**
 * A request header, read from the runtime's own header map when it has one:
 * building the Fetch `Headers` of a request costs more than a cached delivery
 * answer. For headers that only select a representation (language,
 * validators, request id); credentials go through `c.req.header`.
 */
export function representationHeader(c: HeaderReader, name: string): string | undefined {
  const headers = nodeHeaders(c);
  if (!headers) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** True when the request carries an Authorization header (without building the Fetch `Headers` on Node). */
export function hasAuthorization(c: HeaderReader): boolean {
  const headers = nodeHeaders(c);
  return headers ? headers.authorization !== undefined : c.req.header("authorization") !== undefined;
}
