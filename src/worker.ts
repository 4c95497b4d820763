/**
 * The Workers entry: the same app as on Node, on Cloudflare Workers with D1.
 * Scale-out is Workers + D1 with read replication: each request runs in a D1
 * session that starts from the client's last bookmark (`x-d1-bookmark`), so a
 * client that presents the bookmark of its write reads that write
 * (RELIABILITY 7); every response carries the session's newest bookmark.
 */
import { createApp } from "./app";
import { openD1 } from "./db/d1";
import { type Config, parseConfig } from "./env";
import { sendReplies } from "./inbound/outbox";
import { dispatchWebhooks } from "./webhooks/dispatch";

export interface Env {
  DB: D1Database;
  [variable: string]: unknown;
}

let cached: { env: Env; app: ReturnType<typeof createApp>; config: Config } | null = null;

/** One app per isolate: bindings and vars are fixed for its lifetime. */
function appFor(env: Env) {
  if (cached?.env !== env) {
    const config = parseConfig(env);
    const app = createApp({
      config,
      // Set by Cloudflare's edge; a client cannot forge it.
      clientAddress: (request) => request.headers.get("cf-connecting-ip") ?? undefined,
      resolveDb: (c) => {
        const bookmark = c.req.header("x-d1-bookmark") ?? "first-unconstrained";
        // Local D1 (miniflare) and older runtimes may lack sessions; the plain binding is then read-your-writes anyway.
        return openD1(typeof env.DB.withSession === "function" ? env.DB.withSession(bookmark) : env.DB);
      },
    });
    cached = { env, app, config };
  }
  return cached;
}

/**
 * One outbound tick on the plain binding: webhooks (Workers' fetch cannot reach private
 * networks; literal private addresses are refused) and chat replies.
 */
function tick(env: Env, config: Config) {
  const db = openD1(env.DB);
  return Promise.all([
    dispatchWebhooks(db, { now: () => new Date(), baseUrl: config.PUBLIC_BASE_URL, allowHosts: config.WEBHOOK_ALLOW_HOSTS }),
    sendReplies(db, { now: () => new Date(), config }),
  ]).catch((error: unknown) => console.error(JSON.stringify({ level: "error", outbound: String(error) })));
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { app, config } = appFor(env);
    const response = await app.fetch(request, env, ctx);
    // A write (or a chat webhook) may have queued webhook events or replies: send them now, not at the next cron tick.
    if (request.method !== "GET" && request.method !== "HEAD" && response.status < 400) ctx.waitUntil(tick(env, config));
    return response;
  },
  /** The cron trigger in wrangler.toml: retries and anything a request did not send. */
  scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(tick(env, appFor(env).config));
  },
} satisfies ExportedHandler<Env>;
