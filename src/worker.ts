/**
 * The Workers entry: the same app as on Node, on Cloudflare Workers with D1.
 * Scale-out is Workers + D1 with read replication: each request runs in a D1
 * session that starts from the client's last bookmark (`x-d1-bookmark`), so a
 * client that presents the bookmark of its write reads that write
 * (RELIABILITY 7); every response carries the session's newest bookmark.
 */
import { createApp } from "./app";
import { openD1 } from "./db/d1";
import { parseConfig } from "./env";

export interface Env {
  DB: D1Database;
  [variable: string]: unknown;
}

let cached: { env: Env; app: ReturnType<typeof createApp> } | null = null;

/** One app per isolate: bindings and vars are fixed for its lifetime. */
function appFor(env: Env) {
  if (cached?.env !== env) {
    const app = createApp({
      config: parseConfig(env),
      // Set by Cloudflare's edge; a client cannot forge it.
      clientAddress: (request) => request.headers.get("cf-connecting-ip") ?? undefined,
      resolveDb: (c) => {
        const bookmark = c.req.header("x-d1-bookmark") ?? "first-unconstrained";
        // Local D1 (miniflare) and older runtimes may lack sessions; the plain binding is then read-your-writes anyway.
        return openD1(typeof env.DB.withSession === "function" ? env.DB.withSession(bookmark) : env.DB);
      },
    });
    cached = { env, app };
  }
  return cached.app;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
