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

type NodeHeaders = Record<string, string | string[] | undefined>;

/** Node's parsed request headers when `@hono/node-server` passes them (`env.incoming`); undefined elsewhere. */
function nodeHeaders(env: unknown): NodeHeaders | undefined {
  return (env as { incoming?: { headers?: NodeHeaders } } | undefined)?.incoming?.headers;
}

/**
 * A request header, read from the runtime's own header map when it has one:
 * building the Fetch `Headers` of a request costs more than a cached delivery
 * answer. Works before routing (no Context needed). For headers that only
 * select a representation (language, validators, request id) and for the
 * presence of a credential; credentials themselves go through `c.req.header`.
 */
export function requestHeader(request: Request, env: unknown, name: string): string | undefined {
  const headers = nodeHeaders(env);
  if (!headers) return request.headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

type HeaderReader = { env: unknown; req: { raw: Request } };

/** `requestHeader` for a request being routed. */
export function representationHeader(c: HeaderReader, name: string): string | undefined {
  return requestHeader(c.req.raw, c.env, name);
}
