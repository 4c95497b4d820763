/**
 * A server process for the HTTP benchmark, so the load generator and the server
 * do not share one event loop (the machine has 2 cores: one each).
 *
 *   tsx bench/server.ts unison <db path>   the real app on a seeded SQLite file
 *   tsx bench/server.ts bare <json file>    a bare Hono server answering a constant JSON body
 *
 * Prints `listening <port>` when ready. UNISON_HEADERS=fetch: headers read through Fetch `Headers`
 * instead of Node's parsed ones (bench/headers.ts compares the two).
 */
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { parseConfig } from "../src/env";
import { createApiKey } from "../src/lib/keys";
import { createNodeFetch, type NodeFetch } from "../src/node";
import { openSqlite } from "../src/node/sqlite";

const [mode, path] = process.argv.slice(2);
if (!path || (mode !== "unison" && mode !== "bare")) {
  console.error("usage: server.ts unison <db> | bare <json>");
  process.exit(2);
}

let fetch: NodeFetch;
if (mode === "unison") {
  const db = openSqlite(path);
  // The app as `npm start` serves it (src/node.ts), logging and rate limits off: this measures the
  // request path, not the log sink or a 429. UNISON_HEADERS=fetch reads headers through Fetch `Headers`.
  fetch = createNodeFetch(
    {
      resolveDb: () => db,
      config: parseConfig({
        LOG_REQUESTS: "false",
        RATE_LIMIT_PER_MINUTE: "0",
        RESPONSE_CACHE_ENTRIES: process.env.RESPONSE_CACHE_ENTRIES,
      }),
    },
    { nodeHeaders: process.env.UNISON_HEADERS !== "fetch" },
  );
  const { secret } = await createApiKey(db, { name: "bench", scopes: ["actions:invoke"] }, new Date());
  console.log(`key ${secret}`);
} else {
  const body = readFileSync(path, "utf8");
  const app = new Hono();
  app.get("*", (c) => c.body(body, 200, { "content-type": "application/json" }));
  fetch = app.fetch;
}

const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));
