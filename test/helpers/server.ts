/**
 * The real app on a real port, started by the function `npm start` runs (`serve` in src/node.ts):
 * @hono/node-server on 127.0.0.1 (loopback only, a free port), an in-memory better-sqlite3 database
 * seeded with the demo catalogue (content/), and PUBLIC_BASE_URL set to the server's own origin so
 * every link and form on its pages points back at it. Request logs and outbound sending are off
 * unless `config` turns them on.
 */

import { serve } from "../../src/node";
import type { SqliteDatabase } from "../../src/node/sqlite";
import { checkedFetch } from "./contract";
import { loadDemo } from "./demo";

export interface RunningServer {
  /** The origin, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  db: SqliteDatabase;
  /** The admin key the start created (the demo store has none of its own). */
  adminKey: string;
  /** `fetch(url + path)`, the response checked against the server's /openapi.json (test/helpers/contract.ts). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startServer();
 * await server.fetch("/v1/products/merino-crew-sweater");
 * await server.close();
 */
export async function startServer(config: Record<string, string> = {}): Promise<RunningServer> {
  const { db } = await loadDemo();
  const running = await serve({
    db,
    port: 0,
    host: "127.0.0.1",
    env: { LOG_REQUESTS: "false", WEBHOOK_INTERVAL_MS: "0", ...config },
    print: () => {},
  });
  if (!running.adminKey) throw new Error("the start created no admin key");
  return { url: running.url, db, adminKey: running.adminKey, fetch: checkedFetch(running.url), close: running.close };
}
