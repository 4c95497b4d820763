/** What every request carries: injected per request by `createApp` (docs/architecture.md, "Dependencies are injected"). */

import type { Platforms } from "../channels/platform";
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
    /** The messaging platforms (the registry's `platforms`): their webhooks and senders. */
    platforms: Platforms;
    renderCache: RenderCache;
    /**
     * Set when the response cache keeps this request's answer should it be asked for again
     * (src/lib/response-cache.ts): the handler need not also memoize the whole answer.
     */
    answerCached?: true;
  };
}

/**
 * Reads one header of exactly this request (lower-case name). The core reads a request's headers
 * only through the `Request` it is given — never through runtime bindings, which belong to the
 * outer request when the app calls itself in-process (the studio's `/v1/admin/…` sub-requests).
 * A runtime may inject a faster reader (`AppDeps.requestHeader`; Node's keyed to the very
 * `Request` object it came with, in `src/node.ts`) that answers exactly what `headers.get` would.
 */
export type HeaderReader = (request: Request, name: string) => string | undefined;

/** The Fetch way: `request.headers.get(name)`. */
export const fetchHeader: HeaderReader = (request, name) => request.headers.get(name) ?? undefined;
