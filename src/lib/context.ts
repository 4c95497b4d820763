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
