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
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type HttpBindings, serve as serveNode } from "@hono/node-server";
import { Agent, fetch as undiciFetch } from "undici";
import { createApp } from "./app";
import { importContent } from "./catalogue/content";
import { holdsContent, readContentDir } from "./cli/content-files";
import { openSqlite, type SqliteDatabase } from "./db/sqlite";
import { parseConfig } from "./env";
import { sendReplies } from "./inbound/outbox";
import { generateDemoJourneys } from "./journeys/demo";
import { countApiKeys, createApiKey } from "./lib/keys";
import { dispatchWebhooks } from "./webhooks/dispatch";
import { isAllowedHost, isPrivateAddress } from "./webhooks/endpoints";

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
  const report = await importContent(db, bundle, { keyId: null, now: new Date() }, { publish: true });
  if (report.problems.length) {
    throw new Error(`content/ does not validate:\n${report.problems.map((p) => `  ${p.file}:${p.pointer}: ${p.message}`).join("\n")}`);
  }
  print(`Seeded the catalogue from ${contentDir}.`);
  if (options.demoJourneys) {
    const demo = await generateDemoJourneys(db, { customers: 40, now: new Date(), baseUrl: options.baseUrl });
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
export async function serve(options: ServeOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const port = options.port ?? Number(env.PORT ?? 8787);
  const host = options.host ?? env.HOST ?? "127.0.0.1";
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const config = parseConfig({ PUBLIC_BASE_URL: origin, ...env });
  const dbPath = options.dbPath ?? env.DATABASE_PATH ?? resolve("data/unison.db");
  const db = openSqlite(dbPath);
  await seedIfEmpty(db, options.contentDir ?? env.CONTENT_DIR ?? resolve(ROOT, "content"), print, {
    demoJourneys: env.DEMO_JOURNEYS !== "false",
    baseUrl: config.PUBLIC_BASE_URL,
  });
  if ((await countApiKeys(db)) === 0) {
    const { secret } = await createApiKey(db, { name: "local admin (created on first start)", scopes: ["admin"] }, new Date());
    print(`Local admin key (shown once; store it): ${secret}`);
  }

  const app = createApp({
    resolveDb: () => db,
    config,
    clientAddress: (_request, env) => (env as HttpBindings).incoming.socket.remoteAddress,
  });
  const server = serveNode({ fetch: app.fetch, port, hostname: host });
  await new Promise<void>((ready, fail) => {
    server.once("listening", ready);
    server.once("error", fail);
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
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
    close: () =>
      new Promise<void>((done) => {
        server.close(async () => {
          await stopOutbound();
          db.close();
          done();
        });
      }),
  };
}

/**
 * Sends due outbound webhooks and chat replies every `WEBHOOK_INTERVAL_MS` (one tick at a
 * time), resolving webhook receivers' host names so none is reached on a private address.
 * Returns a stop that waits for the running tick.
 */
function startOutboundTicks(db: SqliteDatabase, config: ReturnType<typeof parseConfig>): () => Promise<void> {
  if (config.WEBHOOK_INTERVAL_MS === 0) return async () => {};
  const webhookFetch = publicOnlyFetch(config.WEBHOOK_ALLOW_HOSTS);
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
      sendReplies(db, { now: () => new Date(), config }),
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

type Resolve = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;
const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/**
 * A fetch whose every connection is checked when it is made: the addresses a host name resolves
 * to at connect time must all be public (unless the host is on `allowHosts`). Checking before
 * `fetch` is not enough — fetch resolves again, and a name can answer differently the second
 * time (DNS rebinding). Literal addresses never reach the lookup; `targetProblem` refuses them.
 */
export function publicOnlyFetch(allowHosts: readonly string[], resolve: Resolve = systemResolve): typeof fetch {
  const agent = new Agent({
    connect: {
      lookup(hostname, options, callback) {
        resolve(hostname, (error, addresses) => {
          if (error) return callback(error, "", 0);
          const inside = isAllowedHost(hostname, allowHosts) ? undefined : addresses.find((a) => isPrivateAddress(a.address));
          if (inside) return callback(new Error(`${hostname} resolves to ${inside.address}, which is not a public address.`), "", 0);
          if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
          const first = addresses[0];
          if (!first) return callback(new Error(`${hostname} does not resolve.`), "", 0);
          callback(null, first.address, first.family);
        });
      },
    },
  });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
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
