/**
 * The real app on a real port: `@hono/node-server` on 127.0.0.1 (loopback
 * only), an in-memory better-sqlite3 database seeded with the demo catalogue
 * (content/), and PUBLIC_BASE_URL set to the server's own origin so every
 * link and form on its pages points back at it.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/app";
import type { SqliteDatabase } from "../../src/db/sqlite";
import { parseConfig } from "../../src/env";
import { loadDemo } from "./demo";

export interface RunningServer {
  /** The origin, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  db: SqliteDatabase;
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startServer();
 * await fetch(`${server.url}/products/merino-crew-sweater`);
 * await server.close();
 */
export async function startServer(config: Record<string, string> = {}): Promise<RunningServer> {
  const { db } = await loadDemo();
  // The app needs its own origin, which is known only once the port is bound: requests wait for it.
  let app: ReturnType<typeof createApp> | undefined;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve(
      { fetch: (request) => (app ? app.fetch(request) : new Response("starting", { status: 503 })), port: 0, hostname: "127.0.0.1" },
      () => resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  app = createApp({ resolveDb: () => db, config: parseConfig({ PUBLIC_BASE_URL: url, LOG_REQUESTS: "false", ...config }) });
  return {
    url,
    db,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          db.client.close();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
