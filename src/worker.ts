/**
 * The Workers entry: the same app as on Node, on Cloudflare Workers with D1.
 * Scale-out is Workers + D1 with read replication: each request runs in a D1
 * session that starts from the client's last bookmark (`x-d1-bookmark`), so a
 * client that presents the bookmark of its write reads that write
 * (docs/architecture.md, "Read-your-writes on D1"); every response carries the session's newest bookmark.
 */
import { platforms, renderers } from "../renderers";
import { createApp } from "./app";
import { maintainAnswers } from "./catalogue/products";
import { pageBuilder } from "./channels/pages";
import { openD1 } from "./db/d1";
import { type Config, parseConfig } from "./env";
import { sendReplies } from "./inbound/outbox";
import { bindingRateLimiter, type RateLimitBinding } from "./lib/rate-limit";
import { dispatchWebhooks } from "./webhooks/dispatch";

export interface Env {
  DB: D1Database;
  /** Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml): one budget across isolates. */
  RATE_LIMITER?: RateLimitBinding;
  [variable: string]: unknown;
}

let cached: { env: Env; apps: Map<string, { app: ReturnType<typeof createApp>; config: Config }> } | null = null;
/** The origin of the latest request, for the cron's links when PUBLIC_BASE_URL is not set. */
let lastOrigin: string | undefined;

/**
 * One app per isolate and origin: bindings and vars are fixed for its lifetime. Without
 * PUBLIC_BASE_URL (`wrangler dev`, or a Worker answering on its workers.dev address), links,
 * the CSP and the studio's same-origin check use the request's own origin — Cloudflare routes a
 * request to the Worker by that host, so a client cannot make it up.
 */
function appFor(env: Env, origin?: string) {
  if (cached?.env !== env) cached = { env, apps: new Map() };
  const configured = typeof env.PUBLIC_BASE_URL === "string" && env.PUBLIC_BASE_URL !== "";
  const base = configured ? "" : (origin ?? lastOrigin ?? "");
  let entry = cached.apps.get(base);
  if (!entry) {
    const config = parseConfig(base ? { ...env, PUBLIC_BASE_URL: base } : env);
    const app = createApp({
      config,
      renderers,
      platforms,
      sharedRateLimiter: env.RATE_LIMITER
        ? bindingRateLimiter(env.RATE_LIMITER, { limit: config.RATE_LIMIT_PER_MINUTE, windowSeconds: 60 })
        : undefined,
      // Set by Cloudflare's edge; a client cannot forge it.
      clientAddress: (request) => request.headers.get("cf-connecting-ip") ?? undefined,
      resolveDb: (c) => {
        const bookmark = c.req.header("x-d1-bookmark") ?? "first-unconstrained";
        // Local D1 (miniflare) and older runtimes may lack sessions; the plain binding is then read-your-writes anyway.
        return openD1(typeof env.DB.withSession === "function" ? env.DB.withSession(bookmark) : env.DB);
      },
    });
    // A Worker answers on a handful of hostnames; never let the map grow without bound.
    if (cached.apps.size >= 8) cached.apps.clear();
    entry = { app, config };
    cached.apps.set(base, entry);
  }
  return entry;
}

/**
 * One outbound tick on the plain binding: webhooks (Workers' fetch cannot reach private
 * networks; literal private addresses are refused) and chat replies. The cron trigger's tick also keeps the
 * stored answers up (a batch a tick); after a write the request itself has built one.
 */
function tick(env: Env, config: Config, options: { answers?: boolean } = {}) {
  const db = openD1(env.DB);
  return Promise.all([
    dispatchWebhooks(db, { now: () => new Date(), baseUrl: config.PUBLIC_BASE_URL, allowHosts: config.WEBHOOK_ALLOW_HOSTS }),
    sendReplies(db, { now: () => new Date(), config, platforms }),
    options.answers ? maintainAnswers(db, pageBuilder(renderers.web.site)) : 0,
  ]).catch((error: unknown) => console.error(JSON.stringify({ level: "error", outbound: String(error) })));
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const origin = new URL(request.url).origin;
    lastOrigin = origin;
    const { app, config } = appFor(env, origin);
    const response = await app.fetch(request, env, ctx);
    // A write (or a chat webhook) may have queued webhook events or replies: send them now, not at the next cron tick.
    if (request.method !== "GET" && request.method !== "HEAD" && response.status < 400) ctx.waitUntil(tick(env, config));
    return response;
  },
  /** The cron trigger in wrangler.toml: retries and anything a request did not send. */
  scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(tick(env, appFor(env).config, { answers: true }));
  },
} satisfies ExportedHandler<Env>;
