/**
 * The Node entry: the runtime-neutral app on @hono/node-server with the
 * embedded better-sqlite3 database (the default way to run Unison).
 *
 * On first start it migrates `./data/unison.db`, seeds it from `content/`, and
 * creates a local admin key, printed once.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { existsSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Http2Bindings, type HttpBindings, serve as serveNode } from "@hono/node-server";
import type { fetch as UndiciFetch } from "undici";
import { platforms, renderers } from "../renderers";
import { type AppDeps, createApp } from "./app";
import { importContent } from "./catalogue/content";
import { maintainAnswers } from "./catalogue/products";
import { pageBuilder } from "./channels/pages";
import { holdsContent, readContentDir } from "./cli/content-files";
import { parseConfig } from "./env";
import { sendReplies } from "./inbound/outbox";
import { generateDemoJourneys } from "./journeys/demo";
import { countApiKeys, createApiKey } from "./lib/keys";
import { lineWriter } from "./node/log";
import { openSqlite, type SqliteDatabase } from "./node/sqlite";
import { hostProblem, isPublicAddress } from "./webhooks/address";
import { dispatchWebhooks } from "./webhooks/dispatch";
import { isAllowedHost } from "./webhooks/endpoints";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface ServeOptions {
  port?: number;
  host?: string;
  dbPath?: string;
  contentDir?: string;
  /** Environment to read configuration from (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** Where start-up messages go. */
  print?: (line: string) => void;
  /** An open database to serve instead of opening `dbPath` (tests: an in-memory demo store). Closed by `close()`. */
  db?: SqliteDatabase;
  /** Read headers from Node's parsed request (default) or through the Fetch `Headers` (the benchmark's baseline). */
  nodeHeaders?: boolean;
}

/**
 * Node's request, on the exact `Request` object @hono/node-server built from it, under a key only this module
 * holds: a property rather than a WeakMap entry, which cost every young-generation GC an ephemeron to trace per
 * request in flight. A request the app builds itself (the studio's sub-requests) has none.
 */
const INCOMING = Symbol("unison.incoming");
type NodeRequest = Request & { [INCOMING]?: (HttpBindings | Http2Bindings)["incoming"] };

/** @hono/node-server's fetch callback. */
export type NodeFetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/**
 * The runtime-neutral app as @hono/node-server's fetch callback. The app gets no bindings (Node has
 * none), so nothing of the Node request reaches the core through `env` — an in-process sub-request
 * forwards the bindings it was given and is judged by its own headers. What the core may read of
 * Node's request is keyed to the exact `Request` object @hono/node-server built for it: the client's
 * address (rate limits) and, unless `nodeHeaders` is false, the headers Node already parsed (building
 * the Fetch `Headers` of a request costs more than a cached delivery answer; `npm run bench` measures it).
 *
 * @example
 * const fetch = createNodeFetch({ resolveDb: () => db, config });
 * serveNode({ fetch, port: 0, hostname: "127.0.0.1" });
 */
export function createNodeFetch(
  deps: Omit<AppDeps, "requestHeader" | "clientAddress" | "renderers" | "platforms"> & Partial<Pick<AppDeps, "renderers" | "platforms">>,
  options: { nodeHeaders?: boolean } = {},
): NodeFetch {
  const incomingOf = (request: Request) => (request as NodeRequest)[INCOMING];
  const app = createApp({
    ...deps,
    // The Node entry knows the registry (src/ reaches renderers and platforms only through what it is given).
    renderers: deps.renderers ?? renderers,
    platforms: deps.platforms ?? platforms,
    clientAddress: (request) => incomingOf(request)?.socket.remoteAddress,
    ...(options.nodeHeaders === false
      ? {}
      : {
          requestHeader: (request: Request, name: string) => {
            const incoming = incomingOf(request);
            if (!incoming) return request.headers.get(name) ?? undefined;
            const value = incoming.headers[name];
            return Array.isArray(value) ? value.join(", ") : value;
          },
        }),
  });
  const bindings = Object.freeze({});
  return (request, env) => {
    (request as NodeRequest)[INCOMING] = env.incoming;
    return app.fetch(request, bindings);
  };
}

/** Seeds an empty database from a content directory; returns whether it did. */
export async function seedIfEmpty(
  db: SqliteDatabase,
  contentDir: string,
  print: (line: string) => void,
  options: { demoJourneys: boolean; baseUrl: string } = { demoJourneys: false, baseUrl: "" },
): Promise<boolean> {
  const count = db.client.prepare("SELECT COUNT(*) AS n FROM entries").get() as { n: number };
  if (count.n > 0 || !existsSync(contentDir)) return false;
  if (!(await holdsContent(contentDir))) {
    print(`${contentDir} holds no content: starting with an empty catalogue (import one with \`unison import\`).`);
    return false;
  }
  const bundle = await readContentDir(contentDir);
  const report = await importContent(
    db,
    bundle,
    { keyId: null, now: new Date() },
    { publish: true, pages: pageBuilder(renderers.web.site) },
  );
  if (report.problems.length) {
    throw new Error(`content/ does not validate:\n${report.problems.map((p) => `  ${p.file}:${p.pointer}: ${p.message}`).join("\n")}`);
  }
  print(`Seeded the catalogue from ${contentDir}.`);
  if (options.demoJourneys) {
    const demo = await generateDemoJourneys(db, { customers: 40, now: new Date(), baseUrl: options.baseUrl, registry: renderers });
    print(`Generated ${demo.customers} demo customer journeys (${demo.actions} actions) so insights and timelines have data.`);
  }
  return true;
}

/**
 * Starts the server.
 *
 * @example
 * const server = await serve({ port: 8787 });
 * // … later
 * await server.close();
 */
export async function serve(options: ServeOptions = {}): Promise<{ url: string; adminKey?: string; close(): Promise<void> }> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const port = options.port ?? Number(env.PORT ?? 8787);
  const host = options.host ?? env.HOST ?? "127.0.0.1";
  // The origin is known once the port is bound (PORT=0 picks a free one); requests wait for the app until then.
  let fetch: NodeFetch | undefined;
  const server = serveNode({
    fetch: (request, env: HttpBindings | Http2Bindings) => (fetch ? fetch(request, env) : new Response("starting", { status: 503 })),
    port,
    hostname: host,
    createServer: ((serverOptions: ServerOptions, listener: RequestListener) =>
      createHttpServer(serverOptions, (req, res) => {
        closeWhenBodyUnread(req, res);
        listener(req, res);
      })) as typeof createHttpServer,
  });
  await new Promise<void>((ready, fail) => {
    server.once("listening", ready);
    server.once("error", fail);
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  const config = parseConfig({ PUBLIC_BASE_URL: url, ...env });
  const db = options.db ?? openSqlite(options.dbPath ?? env.DATABASE_PATH ?? resolve("data/unison.db"));
  await seedIfEmpty(db, options.contentDir ?? env.CONTENT_DIR ?? resolve(ROOT, "content"), print, {
    demoJourneys: env.DEMO_JOURNEYS !== "false",
    baseUrl: config.PUBLIC_BASE_URL,
  });
  let adminKey: string | undefined;
  if ((await countApiKeys(db)) === 0) {
    adminKey = (await createApiKey(db, { name: "local admin (created on first start)", scopes: ["admin"] }, new Date())).secret;
    print(`Local admin key (shown once; store it): ${adminKey}`);
  }
  // Request log lines go to stdout a batch at a time (src/node/log.ts); what is waiting is written on close and at exit.
  const requestLog = lineWriter((text) => process.stdout.write(text));
  process.on("exit", requestLog.flush);
  fetch = createNodeFetch({ resolveDb: () => db, config, log: requestLog.line }, { nodeHeaders: options.nodeHeaders });
  print(`Unison is running on ${db.client.name}
  API          ${url}/v1/products
  Storefront   ${url}/
  Studio       ${url}/studio   (sign in with the admin key)
  API docs     ${url}/docs
  OpenAPI      ${url}/openapi.json
  Health       ${url}/healthz`);
  const stopOutbound = startOutboundTicks(db, config);
  return {
    url,
    ...(adminKey ? { adminKey } : {}),
    close: () =>
      new Promise<void>((done, fail) => {
        server.close(async (error) => {
          await stopOutbound();
          requestLog.flush();
          process.off("exit", requestLog.flush);
          db.close();
          if (error) fail(error);
          else done();
        });
      }),
  };
}

/**
 * Sends due outbound webhooks and chat replies every `WEBHOOK_INTERVAL_MS` (one tick at a
 * time), resolving webhook receivers' host names so none is reached on a private address, and
 * keeps the stored answers up (`maintainAnswers`: a batch a tick). Returns a stop that waits for
 * the running tick.
 */
function startOutboundTicks(db: SqliteDatabase, config: ReturnType<typeof parseConfig>): () => Promise<void> {
  if (config.WEBHOOK_INTERVAL_MS === 0) return async () => {};
  const webhookFetch = publicOnlyFetch(config.WEBHOOK_ALLOW_HOSTS);
  const pages = pageBuilder(renderers.web.site);
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = Promise.all([
      dispatchWebhooks(db, {
        now: () => new Date(),
        baseUrl: config.PUBLIC_BASE_URL,
        allowHosts: config.WEBHOOK_ALLOW_HOSTS,
        resolveHost: async (host) => (await lookup(host, { all: true })).map((a) => a.address),
        fetch: webhookFetch,
      }),
      sendReplies(db, { now: () => new Date(), config, platforms }),
      maintainAnswers(db, pages),
    ])
      .catch((error: unknown) => console.error(JSON.stringify({ level: "error", outbound: String(error) })))
      .finally(() => {
        busy = false;
      });
  }, config.WEBHOOK_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** How long, and how many bytes of, a refused body is read and thrown away so its sender can still read the answer. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * A response sent before its request body was read to the end (413 for a body over the cap,
 * 401 before an upload is read) says `Connection: close`: what is left of the body cannot be
 * told apart from a next request. The connection is then closed the polite way — the answer
 * is sent and our side half-closed, and what the client is still sending is read and
 * discarded (up to LINGER_BYTES / LINGER_MS) until it closes its side — so the client reads
 * the answer instead of a reset (EPIPE) mid-upload.
 */
function closeWhenBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  // A request without a body (a GET, most of all a cache hit answered before anything reads the
  // request stream) is not complete until read, yet has nothing left to send: it keeps its connection.
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (hasBody && !req.complete) {
      this.shouldKeepAlive = false;
      const socket = req.socket;
      socket.destroySoon = () => lingerThenClose(req, socket);
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

function lingerThenClose(req: IncomingMessage, socket: Socket): void {
  if ((socket as { lingering?: boolean }).lingering || socket.destroyed) return;
  (socket as { lingering?: boolean }).lingering = true;
  let read = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  // The body's web stream stopped pulling when the cap was hit and would pause the request again: discard instead.
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) close();
  });
  req.once("end", close);
  req.once("error", close);
  socket.once("end", close);
  socket.once("error", close);
  socket.end();
  req.resume();
}

type Resolve = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;
const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * A fetch whose every connection is checked when it is made: a literal address must be public,
 * a name must be a public DNS name, and the addresses it resolves to at connect time must all
 * be public (unless the host is on `allowHosts`). Checking before `fetch` is not enough — fetch
 * resolves again, and a name can answer differently the second time (DNS rebinding). The
 * classification is the one used at registration and before sending (`webhooks/address`).
 */
export function publicOnlyFetch(allowHosts: readonly string[], resolve: Resolve = systemResolve): typeof fetch {
  // undici (1 MB of CommonJS, a third of the server's start time) is loaded on the first outbound request.
  let client: Promise<{ fetch: typeof UndiciFetch; dispatcher: InstanceType<typeof import("undici").Agent> }> | undefined;
  const load = () =>
    (client ??= import("undici").then(({ Agent, buildConnector, fetch }) => {
      const connector = buildConnector({
        lookup(hostname, options, callback) {
          resolve(hostname, (error, addresses) => {
            if (error) return callback(error, "", 0);
            const inside = isAllowedHost(hostname, allowHosts) ? undefined : addresses.find((a) => !isPublicAddress(a.address));
            if (inside) return callback(new Error(`${hostname} resolves to ${inside.address}, which is not a public address.`), "", 0);
            if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
            const first = addresses[0];
            if (!first) return callback(new Error(`${hostname} does not resolve.`), "", 0);
            callback(null, first.address, first.family);
          });
        },
      });
      const dispatcher = new Agent({
        connect(options, callback) {
          const host = options.hostname.toLowerCase().replace(/^\[|\]$/g, "");
          const problem = isAllowedHost(host, allowHosts) ? null : hostProblem(host);
          if (problem) return callback(new Error(problem), null);
          return connector(options, callback);
        },
      });
      return { fetch, dispatcher };
    }));
  return (async (input: string | URL, init?: RequestInit) => {
    const { fetch, dispatcher } = await load();
    return fetch(input, { ...(init as Parameters<typeof UndiciFetch>[1]), dispatcher });
  }) as unknown as typeof fetch;
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const running = await serve();
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
