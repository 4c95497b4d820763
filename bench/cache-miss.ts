/**
 * What a request the response cache cannot answer costs, against the cache off (issue #14 asks that it cost no
 * more). Measured in one process, so the machine's noise falls on both sides alike: two apps over the
 * same SQLite file, one as `npm start` configures it (cache on), one with RESPONSE_CACHE_ENTRIES=0, asked in
 * turn (which goes first alternates), each request a uniformly random published slug. Each side's CPU time
 * per request is summed per round; the figures are on ÷ off, per round and its median, and what the
 * cache-on requests it could not answer cost ÷ a cache-off request (the misses apart from the hits: over
 * a large catalogue almost every request misses, and the share of hits is printed).
 * Both apps share the database's read memos, as the one app of a server does.
 *
 *   npm run bench:scale -- --keep /tmp/unison-scale --rows "cache on"   seeds (and keeps) the 100,000-product file
 *   npm run bench:cache-miss -- --db /tmp/unison-scale/scale-100000.db
 *   npm run bench:cache-miss -- --db … --rounds 12 --requests 3000
 */
import { existsSync } from "node:fs";
import { platforms, renderers } from "../renderers";
import { createApp } from "../src/app";
import { parseConfig } from "../src/env";
import { openSqlite } from "../src/node/sqlite";
import { median, range } from "./harness";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const file = option("--db");
const ROUNDS = Number(option("--rounds") ?? 9);
const REQUESTS = Number(option("--requests") ?? 2000);
if (!file || !existsSync(file)) {
  console.error("Give a seeded catalogue: --db <file> (`npm run bench:scale -- --keep <dir>` writes scale-<size>.db there).");
  process.exit(2);
}

const db = openSqlite(file);
const slugs = db.client.prepare("SELECT slug FROM published_products ORDER BY slug").pluck().all() as string[];
const app = (entries: string) =>
  createApp({
    resolveDb: () => db,
    config: parseConfig({
      PUBLIC_BASE_URL: "http://127.0.0.1",
      RATE_LIMIT_PER_MINUTE: "0",
      LOG_REQUESTS: "false",
      RESPONSE_CACHE_ENTRIES: entries,
    }),
    renderers,
    platforms,
  });
const apps = { on: app(String(parseConfig({}).RESPONSE_CACHE_ENTRIES)), off: app("0") };

/** A deterministic uniform pick in [0, n) per request index (mulberry32 of the index, as bench/scale.ts). */
function pick(i: number, n: number): number {
  let t = (i + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}

let next = 0;
let hits = 0;
let asked = 0;
const ratios: number[] = [];
/** Per round: what a cache-on request the cache could not answer cost, ÷ what a cache-off request cost. */
const missRatios: number[] = [];
const perRequest = { on: [] as number[], off: [] as number[], miss: [] as number[] };
console.log(`${slugs.length} products, ${ROUNDS} rounds × ${REQUESTS} requests per side, GET /v1/products/{random slug}`);
for (let round = -1; round < ROUNDS; round++) {
  const spent = { on: 0, off: 0, miss: 0 };
  let misses = 0;
  for (let i = 0; i < REQUESTS; i++) {
    for (const side of (i + round) % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      const slug = slugs[pick(next++, slugs.length)]!;
      const t0 = process.cpuUsage();
      const res = await apps[side].fetch(new Request(`http://127.0.0.1/v1/products/${slug}`));
      await res.arrayBuffer();
      const t = process.cpuUsage(t0);
      spent[side] += t.user + t.system;
      if (res.status !== 200) throw new Error(`${slug} → ${res.status}`);
      if (side === "on" && round >= 0) {
        asked++;
        if (res.headers.get("cache-status") === "unison; hit") hits++;
        else {
          misses++;
          spent.miss += t.user + t.system;
        }
      }
    }
  }
  if (round < 0) continue; // warm-up: JIT, the caches filled
  ratios.push(spent.on / spent.off);
  missRatios.push(spent.miss / misses / (spent.off / REQUESTS));
  perRequest.on.push(spent.on / REQUESTS);
  perRequest.off.push(spent.off / REQUESTS);
  perRequest.miss.push(spent.miss / misses);
}
console.log(
  `CPU per request: cache on ${median(perRequest.on).toFixed(0)} µs, off ${median(perRequest.off).toFixed(0)} µs; on ÷ off ${median(ratios).toFixed(3)} (${range(ratios)}); hits ${((100 * hits) / asked).toFixed(1)} % of the cache-on requests`,
);
console.log(
  `a miss (cache on, not answered from memory) ${median(perRequest.miss).toFixed(0)} µs ÷ a request with the cache off: ${median(missRatios).toFixed(3)} (${range(missRatios)})`,
);
db.close();
