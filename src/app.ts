/**
 * `createApp(deps)` builds the whole Unison API as one runtime-neutral Hono app.
 * `src/node.ts` runs it on Node with better-sqlite3, `src/worker.ts` on Workers
 * with D1; tests call `app.request()` in-process on a fresh database.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { getPath } from "hono/utils/url";
import { registerAcpCheckoutRoutes } from "./acp/checkout-routes";
import { acpErrorResponse, isAcpCheckoutPath, toAcpError } from "./acp/errors";
import { registerAcpRoutes } from "./acp/routes";
import type { BeforePublish } from "./catalogue/entries";
import { refreshProductAnswers } from "./catalogue/products";
import { pageBuilder } from "./channels/pages";
import type { Platforms } from "./channels/platform";
import { createRenderCache } from "./consistency/cache";
import type { Registry } from "./consistency/engine";
import { publishGate } from "./consistency/gate";
import { type Database, memoBudget, readView } from "./db/client";
import type { Config } from "./env";
import { type AppEnv, fetchHeader, type HeaderReader } from "./lib/context";
import { createRouter } from "./lib/create-router";
import { ApiError, problemResponse } from "./lib/errors";
import { type Clock, systemClock } from "./lib/ids";
import { assertJsonDepth, assertNoPrototypeKeys } from "./lib/json-depth";
import { authenticate, KEY_PREFIX } from "./lib/keys";
import {
  anonymousCredential,
  type ClientAddress,
  createRateLimiter,
  type RateLimitVerdict,
  rateLimit,
  rateLimited,
  type SharedRateLimiter,
  unknownKeyLimit,
} from "./lib/rate-limit";
import { requestLogLine } from "./lib/request-log";
import { createResponseCache } from "./lib/response-cache";
import { SECURITY_SCHEME } from "./lib/route";
import { registerMcpRoutes } from "./mcp/routes";
import { registerAdminRoutes } from "./routes/admin/admin.index";
import { CACHEABLE_DELIVERY, DELIVERY_READS, registerDeliveryRoutes } from "./routes/delivery/delivery.index";
import { registerInboundChatRoutes } from "./routes/inbound/chat.index";
import { registerInboundSmsRoutes } from "./routes/inbound/sms.index";
import { registerCustomerSearchRoutes } from "./routes/journeys/customers.index";
import { registerInsightsRoutes } from "./routes/journeys/insights.index";
import { registerJourneyRoutes } from "./routes/journeys/journeys.index";
import { registerRenderRoutes } from "./routes/render/render.index";
import { registerSystemRoutes } from "./routes/system/system.index";
import { registerAssetRoutes } from "./routes/web/assets.index";
import { registerStorefrontRoutes, STOREFRONT_READS } from "./routes/web/storefront.index";
import { pageContext, sendProblem as storefrontProblem, webSite } from "./routes/web/storefront.pages";
import { registerStudioRoutes } from "./studio/studio.index";
import { sendProblem as studioProblem } from "./studio/view";

export interface AppDeps {
  /**
   * The database for this request (one per process on Node; a D1 session per request on Workers).
   * A database with a change stamp (SQLite) must be the same for every request: the response cache
   * answers repeat reads before routing, from the database each answer was read from.
   */
  resolveDb: (c: Context<AppEnv>) => Database;
  config: Config;
  clock?: Clock;
  /** Where request log lines go (never headers or keys). */
  log?: (line: string) => void;
  /** The client's network address (for limits on requests without a key); from the runtime, never from forwarding headers. */
  clientAddress?: ClientAddress;
  /** The publish gate; by default the consistency engine's, over `renderers`. */
  beforePublish?: BeforePublish;
  /**
   * The channel renderers: the registry in `renderers/index.ts`, which only the entries (src/node.ts,
   * src/worker.ts, the CLI) and tests import. The core reaches renderers only through it.
   */
  renderers: Registry;
  /** The messaging platforms (`platforms` in `renderers/index.ts`): inbound webhooks and outbound senders. */
  platforms: Platforms;
  /**
   * Reads a header of exactly the request given (default: `request.headers.get`). Node injects a reader of
   * the headers it already parsed, keyed to the `Request` object it built (src/node.ts); it never reads
   * bindings, so an in-process sub-request (the studio's) is judged by its own headers.
   */
  requestHeader?: HeaderReader;
  /** A limiter shared beyond this process (Workers: the Rate Limiting binding); default: counters in memory. */
  sharedRateLimiter?: SharedRateLimiter | undefined;
}

/** Query parameters that would carry a credential; keys are refused there (they end up in logs and caches). */
const CREDENTIAL_PARAMS = ["api_key", "apikey", "access_token", "token", "key"];
/** A key anywhere in a (percent-decoded) query parameter, whatever its name: `?q=%20unison_sk_…`, `?authorization=Bearer unison_sk_…`. */
const KEY_IN_QUERY = new RegExp(KEY_PREFIX, "i");

/**
 * @example
 * const app = createApp({ resolveDb: () => db, config: parseConfig({}), renderers, platforms });
 * const res = await app.request("/v1/products");
 */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? ((line: string) => console.log(line));
  const registry = deps.renderers;
  /** Stored product pages are built with the answers when the registry's web renderer can cut its pages. */
  const pages = pageBuilder(registry.web.site);
  const renderCache = createRenderCache();
  const header = deps.requestHeader ?? fetchHeader;
  const beforePublish = deps.beforePublish ?? publishGate({ registry, baseUrl: deps.config.PUBLIC_BASE_URL, cache: renderCache });

  /** Every error as problem+json; anything unexpected is logged by request id and answered without its details. */
  const answerError = (error: unknown, c: Context<AppEnv>): Response => {
    const id = c.get("requestId");
    if (isAcpCheckoutPath(c.req.path)) {
      // ACP checkout answers in the protocol's flat error shape (src/acp/errors.ts).
      const acp = toAcpError(error instanceof HTTPException ? httpExceptionAsApiError(error) : error);
      if (acp) return acpErrorResponse(acp, id);
    }
    if (error instanceof ApiError) return problemResponse(error.code, error.message, id, error.extra, error.headers);
    if (error instanceof HTTPException) {
      if (error.status === 400) return problemResponse("malformed_json", "The request body is not valid JSON.", id);
      if (error.status === 413) return problemResponse("payload_too_large", "The request body is too large.", id);
      if (error.status === 415)
        return problemResponse("unsupported_media_type", "This operation does not take a body of that media type.", id);
      if (error.status === 401) return problemResponse("unauthorized", error.message || "Unauthorized.", id);
    }
    log(
      JSON.stringify({ level: "error", requestId: id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    );
    return problemResponse("internal_error", "Something went wrong on our side. Quote the request id when you report it.", id);
  };

  const clientAddress = deps.clientAddress ?? (() => undefined);
  const shared = deps.config.RATE_LIMIT_PER_MINUTE > 0 ? deps.sharedRateLimiter : undefined;
  const limiter =
    deps.config.RATE_LIMIT_PER_MINUTE > 0 && !shared
      ? createRateLimiter({ limit: deps.config.RATE_LIMIT_PER_MINUTE, windowSeconds: 60, now: () => clock().getTime() })
      : undefined;
  const anyLimiter = shared ?? limiter;
  /** Unknown keys spend their address's anonymous budget, where anonymous requests are limited (src/lib/rate-limit.ts). */
  const unknownKeys = anyLimiter ? unknownKeyLimit(anyLimiter, () => clock().getTime()) : undefined;

  /** The credential rules: keys only in the Authorization header, and only known, unrevoked keys. A promise only when there is a key to look up. */
  const admit = (c: Context<AppEnv>): Promise<void> | undefined => {
    if (c.req.url.includes("?")) {
      // searchParams are percent-decoded: a key is found however it was encoded, under any parameter name.
      for (const [name, value] of new URL(c.req.url).searchParams) {
        if (CREDENTIAL_PARAMS.includes(name.toLowerCase()) || KEY_IN_QUERY.test(value) || KEY_IN_QUERY.test(name)) {
          throw new ApiError("credentials_in_query", "Send API keys in the Authorization header, never in the URL.");
        }
      }
    }
    if (header(c.req.raw, "authorization") === undefined) return undefined;
    return admitKey(c);
  };

  /**
   * Looks the request's key up. Where anonymous requests are limited, a key that does not authenticate is no
   * credential: its request spends the client address's anonymous budget (429 once over), and an address that went
   * over with an unknown key is refused before its next lookups, until its window resets.
   */
  const admitKey = async (c: Context<AppEnv>): Promise<void> => {
    const address = unknownKeys && isRateLimited(c.req.path) ? anonymousCredential(clientAddress(c.req.raw, c.env)) : undefined;
    let counted: RateLimitVerdict | undefined;
    if (address && unknownKeys) {
      const before = unknownKeys.before(address);
      counted = before instanceof Promise ? await before : before;
      if (counted && !counted.allowed) throw rateLimited(counted);
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const principal = token ? await authenticate(c.get("db"), token) : null;
    if (principal) {
      c.set("principal", principal);
      return;
    }
    const verdict = address && unknownKeys ? await unknownKeys.unknown(address, counted) : undefined;
    if (verdict && !verdict.allowed) throw rateLimited(verdict);
    throw new ApiError("invalid_api_key", "The API key is unknown, malformed or revoked.", {
      headers: { "www-authenticate": 'Bearer realm="unison", error="invalid_token"', ...verdict?.headers },
    });
  };

  /** The log line of a request: method, path without the query, status, time, key id — never headers. */
  const logLine = requestLogLine();
  const logRequest = (started: number, id: string, method: string, path: string, status: number, keyId: string | null) => {
    const ms = Math.round((performance.now() - started) * 10) / 10;
    log(logLine(clock(), id, method, path, status, ms, keyId));
  };

  /** Builds the due answers after a write; a failure is logged, never the request's (its write has committed). */
  const refreshAnswersAfter = async (db: Database, id: string) => {
    try {
      await refreshProductAnswers(db, { pages });
    } catch (error) {
      log(`${clock().toISOString()} ${id} stored answers not rebuilt: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // One middleware for what every request needs (each layer of hono's chain costs an async hop):
  // its id, its context, the credential rules and its log line.
  app.use(async (c, next) => {
    const started = performance.now();
    const id = requestIdFrom(header(c.req.raw, "x-request-id"));
    c.set("requestId", id);
    c.header("x-request-id", id);
    c.set("config", deps.config);
    c.set("clock", clock);
    // A public delivery read and a storefront page write nothing: they see the database through one change
    // stamp (db/client.ts `readView`).
    const db = deps.resolveDb(c);
    memoBudget(db, deps.config.READ_MEMO_BYTES);
    const reads = c.req.method === "GET" && (DELIVERY_READS.test(c.req.path) || STOREFRONT_READS.test(c.req.path));
    c.set("db", reads ? readView(db) : db);
    c.set("principal", null);
    c.set("renderers", registry);
    c.set("platforms", deps.platforms);
    c.set("renderCache", renderCache);

    try {
      const admitting = admit(c);
      if (admitting) await admitting;
      await next();
      // A request that may have written (any method but GET and HEAD) builds again the stored answers of the
      // products its writes moved (src/catalogue/answers.ts), one batch, before it answers: the next read of such a
      // product is then one row again. Reads never write; an answer not built is built from the row on read.
      if (c.req.method !== "GET" && c.req.method !== "HEAD") await refreshAnswersAfter(c.get("db"), id);
      // D1 read replication: hand the client the session's bookmark so its next read sees this request's writes.
      const bookmark = c.get("db").bookmark?.();
      if (bookmark) c.res.headers.set("x-d1-bookmark", bookmark);
    } catch (error) {
      // Refused before any route ran (a key in the URL, an unknown key): answered here so the log line has its status.
      c.res = answerError(error, c);
    } finally {
      if (deps.config.LOG_REQUESTS) logRequest(started, id, c.req.method, c.req.path, c.res.status, c.get("principal")?.keyId ?? null);
    }
  });

  // Where anonymous requests are limited (keep isRateLimited below in step).
  if (anyLimiter) app.use("/v1/*", rateLimit(anyLimiter, clientAddress));
  if (anyLimiter) app.use("/mcp", rateLimit(anyLimiter, clientAddress));
  if (anyLimiter) app.use("/checkout_sessions/*", rateLimit(anyLimiter, clientAddress));

  // Public delivery reads that depend only on the URL, the language and the data: stored here, and
  // answered from memory before routing (below) until the database changes.
  const responses = createResponseCache({
    paths: CACHEABLE_DELIVERY,
    entries: deps.config.RESPONSE_CACHE_ENTRIES,
    bytes: deps.config.RESPONSE_CACHE_BYTES,
    header,
  });
  app.use("/v1/*", responses.middleware);

  // Body limits (also enforced on chunked bodies without Content-Length); the bulk import has its own.
  const tooLarge = (limit: number) => () => {
    throw new ApiError("payload_too_large", `The request body is larger than ${limit} bytes.`);
  };
  const defaultLimit = bodyLimit({ maxSize: deps.config.BODY_LIMIT_BYTES, onError: tooLarge(deps.config.BODY_LIMIT_BYTES) });
  const importLimit = bodyLimit({ maxSize: deps.config.IMPORT_BODY_LIMIT_BYTES, onError: tooLarge(deps.config.IMPORT_BODY_LIMIT_BYTES) });
  /**
   * Whether a request came without a body. RFC 9112 §6.3: with neither Content-Length nor Transfer-Encoding there is
   * none, yet @hono/node-server hands every POST a body stream; a Request built in-process carries no framing headers
   * even with a body. So without a Content-Length the bytes decide: `bodyLimit` (which runs first) has read them all
   * into memory by then, and the text is kept for the handler.
   */
  const bodiless = async (c: Context<AppEnv>): Promise<boolean> => {
    const raw = c.req.raw;
    if (raw.body === null) return true;
    const length = header(raw, "transfer-encoding") === undefined ? header(raw, "content-length") : undefined;
    return length !== undefined ? Number(length) === 0 : (await c.req.text()) === "";
  };
  /** Whether a route answers this method here: a request with none gets its 404 / 405, not a verdict on its body. */
  const routed = (method: string, path: string) => allowedMethods(app, path).includes(method);
  // JSON APIs take JSON: a body of another media type is 415 before any handler runs.
  const jsonOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const method = c.req.method;
    const path = c.req.path;
    if (
      (path.startsWith("/v1/") || isAcpCheckoutPath(path)) &&
      (method === "POST" || method === "PUT" || method === "PATCH") &&
      !path.startsWith("/v1/inbound/")
    ) {
      const type = c.req.header("content-type");
      const empty = await bodiless(c);
      if (empty && (method === "PATCH" || path === "/v1/admin/import") && routed(method, path)) {
        // A merge-patch or an import with no document is a mistake, not "change nothing".
        throw new ApiError("validation_failed", "The request body is empty; send a JSON document.", {
          extra: { errors: [{ in: "body", pointer: "", code: "required", message: "A JSON body is required." }] },
        });
      }
      if (empty && type !== undefined) {
        // Many clients send a JSON content type with no body (POST …/publish). That is "no body", not malformed JSON.
        const headers = new Headers(c.req.raw.headers);
        headers.delete("content-type");
        c.req.raw = new Request(c.req.raw.url, { method, headers });
      } else if (!empty && !/^application\/(merge-patch\+)?json\s*(;|$)/i.test(type ?? "") && routed(method, path)) {
        throw new ApiError("unsupported_media_type", "Send the body as application/json (or application/merge-patch+json for PATCH).");
      }
    }
    return shallowJson(c, next);
  };
  // Deep JSON is refused before any recursive code (validation, merge-patch) sees it; inbound webhooks included.
  const shallowJson = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const type = c.req.header("content-type");
    if (c.req.raw.body !== null && (/json/i.test(type ?? "") || (type === undefined && c.req.path.startsWith("/v1/inbound/")))) {
      const text = await c.req.text();
      assertJsonDepth(text);
      assertNoPrototypeKeys(text);
    }
    return next();
  };
  app.use((c, next) => {
    // GET and HEAD carry no body; asking for one makes @hono/node-server build a full Request (half a delivery read).
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const limit = c.req.path === "/v1/admin/import" ? importLimit : defaultLimit;
    return limit(c, () => jsonOnly(c, next));
  });

  app.openAPIRegistry.registerComponent("securitySchemes", SECURITY_SCHEME, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "unison_sk_…",
    description:
      "An API key: `Authorization: Bearer unison_sk_…`. Keys carry scopes: `catalog:read`, `catalog:write`, `catalog:publish`, `actions:invoke`, `customers:read`, `customers:write`, `admin` (all). Keys in query strings are refused.",
  });

  registerSystemRoutes(app);
  registerAssetRoutes(app);
  registerStorefrontRoutes(app);
  registerStudioRoutes(app);
  registerDeliveryRoutes(app);
  registerAdminRoutes(app, { beforePublish });
  registerRenderRoutes(app, registry);
  registerJourneyRoutes(app);
  registerInboundSmsRoutes(app, deps.platforms.sms);
  registerInboundChatRoutes(app, deps.platforms);
  registerInsightsRoutes(app);
  registerMcpRoutes(app);
  registerAcpRoutes(app);
  registerAcpCheckoutRoutes(app);
  registerCustomerSearchRoutes(app);

  app.notFound((c) => {
    const path = c.req.path;
    const allowed = allowedMethods(app, path);
    // A person's miss (a typed address, an old link, Enter in the address bar on a form's answer) gets a page;
    // the APIs' misses stay problems.
    if (!PROBLEM_PATHS.test(path) && takesHtml(header(c.req.raw, "accept"))) {
      if (path === "/studio" || path.startsWith("/studio/")) return studioMiss(c, allowed);
      if (c.get("renderers").web.site) return storefrontMiss(c, allowed);
    }
    if (allowed.length) {
      return problemResponse(
        "method_not_allowed",
        `${c.req.method} is not supported here. Allowed: ${allowed.join(", ")}.`,
        c.get("requestId"),
        {},
        {
          allow: allowed.join(", "),
        },
      );
    }
    return problemResponse("route_not_found", `No route for ${c.req.method} ${c.req.path}.`, c.get("requestId"));
  });

  app.onError(answerError);

  // A repeat public read is answered before routing, with what the pipeline above would give it (a request
  // id, the anonymous rate limit, the log line) but without routing, a context or middleware hops: on Node
  // that takes a hit from about half to about three quarters of a bare Hono server's requests per second
  // (bench/). Anything else — a key, a stale or missing entry, a client over budget (whose 429 is the
  // pipeline's own) — is routed.
  // (With a shared limiter every request is routed: its count is an await the synchronous path cannot make.)
  if (responses.enabled && !deps.config.DELIVERY_REQUIRES_KEY && !shared) {
    const routed = app.fetch;
    const fromMemory = (request: Request, env: unknown): Response | undefined => {
      if (request.method !== "GET" || header(request, "authorization") !== undefined) return undefined;
      const started = performance.now();
      const answer = responses.lookup(request);
      if (!answer) return undefined;
      let limits: Record<string, string> | undefined;
      if (limiter) {
        const credential = anonymousCredential(clientAddress(request, env));
        if (!limiter.allows(credential)) return undefined;
        limits = limiter.take(credential).headers;
      }
      const id = requestIdFrom(header(request, "x-request-id"));
      const res = responses.respond(answer, request, id, limits);
      if (deps.config.LOG_REQUESTS) logRequest(started, id, "GET", getPath(request), res.status, null);
      return res;
    };
    app.fetch = (request, env, executionCtx) => fromMemory(request, env) ?? routed(request, env, executionCtx);
  }

  return app;
}

/** Where anonymous requests are limited (the paths `createApp` gives the rate-limit middleware), unknown keys included. */
function isRateLimited(path: string): boolean {
  return path === "/mcp" || path === "/v1" || path.startsWith("/v1/") || isAcpCheckoutPath(path);
}

/**
 * Paths whose misses stay RFC 9457 problems whatever the client accepts: the APIs (REST, MCP, ACP), their documents
 * and probes, the files pages load. A miss anywhere else is an address a person may have typed or followed.
 */
const PROBLEM_PATHS = /^\/(?:v1|mcp|openapi\.json|checkout_sessions|\.well-known|healthz|docs|assets|media)(?:\/|$)/;

/** Whether a client takes an HTML page: it asks for HTML (a browser), or for no JSON type at all (any type, or no Accept). */
function takesHtml(accept: string | undefined): boolean {
  return accept === undefined || /text\/html/i.test(accept) || !/json/i.test(accept);
}

/** Whether a miss is a GET (or HEAD) of a form target: a path that only takes POST. */
function getOfFormTarget(method: string, allowed: readonly string[]): boolean {
  return (method === "GET" || method === "HEAD") && allowed.includes("POST") && !allowed.includes("GET");
}

/**
 * A storefront miss. A GET of a form target (Enter in the address bar on the page a POST answered, such as a failed
 * "Place order") goes back with a 303 to the page its form is on: the order review for `/checkout/place` (whose own
 * guard goes back further when the checkout is incomplete or done), the cart for `/actions/…`. Anything else is the
 * shop's own not-found page (the one an unknown product gets), 405 with `Allow` when the path has other methods.
 */
async function storefrontMiss(c: Context<AppEnv>, allowed: readonly string[]): Promise<Response> {
  if (getOfFormTarget(c.req.method, allowed)) {
    return c.redirect(`${c.get("config").PUBLIC_BASE_URL}${c.req.path === "/checkout/place" ? "/checkout/review" : "/cart"}`, 303);
  }
  const ctx = await pageContext(c);
  const words = webSite(c).words(ctx.locale);
  if (!allowed.length) return storefrontProblem(c, ctx, 404, words.notFoundTitle, words.notFoundText);
  const res = await storefrontProblem(c, ctx, 405, words.refusedTitle, words.notFoundText);
  res.headers.set("allow", allowed.join(", "));
  return res;
}

/**
 * A studio miss: the studio's own not-found page (signed-out chrome: the session is not read for a miss), 405 with
 * `Allow` when the path has other methods; a GET of a form target (…/publish, /studio/signout) goes back to the page
 * the form is on, one segment up.
 */
function studioMiss(c: Context<AppEnv>, allowed: readonly string[]): Response {
  const path = c.req.path;
  if (getOfFormTarget(c.req.method, allowed)) return c.redirect(path.slice(0, path.lastIndexOf("/")) || "/studio", 303);
  if (!allowed.length) return studioProblem(c, null, 404, "Not found", "There is no such page in the studio.");
  const res = studioProblem(c, null, 405, "Not allowed", `This page does not take ${c.req.method}.`);
  res.headers.set("allow", allowed.join(", "));
  return res;
}

/** hono's own HTTP errors (a body that is not JSON, too large, of another type) as the codes `answerError` gives them. */
function httpExceptionAsApiError(error: HTTPException): unknown {
  if (error.status === 400) return new ApiError("malformed_json", "The request body is not valid JSON.");
  if (error.status === 413) return new ApiError("payload_too_large", "The request body is too large.");
  if (error.status === 415) return new ApiError("unsupported_media_type", "Send the body as application/json.");
  if (error.status === 401) return new ApiError("unauthorized", error.message || "Unauthorized.");
  return error;
}

/** The caller's `X-Request-Id` when it is a short token, else a fresh one. */
function requestIdFrom(incoming: string | undefined): string {
  return incoming && incoming.length <= 128 && !/[^\w\-=]/.test(incoming) ? incoming : crypto.randomUUID();
}

export type App = ReturnType<typeof createApp>;

const routePatterns = new WeakMap<object, { method: string; pattern: RegExp }[]>();

/** Methods registered for a path, for 405 + Allow (HEAD comes with GET). Patterns are compiled once per app. */
function allowedMethods(app: ReturnType<typeof createRouter>, path: string): string[] {
  let patterns = routePatterns.get(app);
  if (!patterns) {
    patterns = app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(
          `^${r.path
            .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
            .replace(/:[^/]+/g, "[^/]+")
            .replace(/\*/g, ".*")}$`,
        ),
      }));
    routePatterns.set(app, patterns);
  }
  const methods = new Set<string>();
  for (const { method, pattern } of patterns) if (pattern.test(path)) methods.add(method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
