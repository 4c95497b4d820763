/**
 * Issue #14's scale table: the same request paths at 1,000 and at 100,000 products, measured one
 * after the other in one run, and each figure's ratio 100k ÷ 1k (goal: ≤ 1.5 for every cost, ≥ 0.67
 * for throughput). The catalogue is generated in the issue's shape (bench/catalogue.ts `issueProduct`:
 * a 300-character description, three variants, two locales, six categories), written through the real
 * import code (`importContent`, in batches of 20,000: publishing, sort keys, FTS, inventory) into a temp
 * file — never committed. The servers run as `npm start` runs them (after its build), on core 0, the
 * load generator on core 1, RATE_LIMIT_PER_MINUTE=0, everything else default.
 *
 *   npm run bench:scale                              3 rounds per size
 *   npm run bench:scale -- --rounds 1 --seconds 2    shorter
 *   npm run bench:scale -- --sizes 1000,20000        other sizes (the first is the baseline)
 *   npm run bench -- --scale                         the same, from the main benchmark
 *
 * Rows (per size, medians over the rounds):
 *   random-slug GET /v1/products/{slug}, 32 connections: req/s with the response cache on (default) and off
 *   p50 / p99 service time, one connection, one request after the other (sub-millisecond timer):
 *     storefront /products/{slug} (random slug), / and /categories/{c} (a fresh address each time, so every
 *     request renders its page), the paged sorted list (sort and page 1–80 rotating, fresh addresses),
 *     GET /v1/products?q=merino (a common word: 1 product in 12 matches), response cache off
 *   the floor: a bare Hono server's constant answer through the same client (what no request can beat).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importContent } from "../src/catalogue/content";
import { openSqlite } from "../src/node/sqlite";
import { CATEGORIES, generatedProduct, issueProduct, LOCALES } from "./catalogue";
import {
  build,
  load,
  median,
  nodeStartMs,
  pinLoadGenerator,
  pinned,
  range,
  type Server,
  serviceTimes,
  start,
  startCommand,
  stop,
} from "./harness";

interface Options {
  sizes: number[];
  rounds: number;
  seconds: number;
  /** Requests per service-time row per round. */
  samples: number;
}

/** A deterministic uniform pick in [0, n) per request index (mulberry32 of the index). */
function pick(i: number, n: number): number {
  let t = (i + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}

/** Writes `count` products through the real import, in batches (bounded memory), into a new SQLite file. */
async function seed(file: string, count: number) {
  const db = openSqlite(file);
  // A throwaway file: no fsync per publish (the servers reopen it with the durable settings).
  db.client.pragma("synchronous = OFF");
  const BATCH = 20_000;
  const now = new Date();
  for (let offset = 0; offset < count; offset += BATCH) {
    const n = Math.min(BATCH, count - offset);
    const products = Array.from({ length: n }, (_, i) => ({ path: `products[${offset + i}]`, data: issueProduct(offset + i) }));
    const report = await importContent(
      db,
      { locales: offset === 0 ? { path: "locales.json", data: LOCALES } : null, products, messages: [], actions: [] },
      { keyId: null, now },
    );
    if (report.problems.length) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
    if (count > BATCH) process.stderr.write(`\rseeded ${offset + n} / ${count}`);
  }
  if (count > BATCH) process.stderr.write("\n");
  db.close();
}

/** A figure per round: req/s under load, or the p50 service time in ms; the worst p99 seen. */
interface Row {
  kind: "rps" | "ms";
  rounds: number[];
  p99: number;
}

async function measure(size: number, options: Options, floorServer: Server) {
  const dir = mkdtempSync(join(tmpdir(), "unison-scale-"));
  const servers: Server[] = [];
  try {
    const file = join(dir, "bench.db");
    const t0 = performance.now();
    await seed(file, size);
    const seedSeconds = (performance.now() - t0) / 1000;
    const env = { DATABASE_PATH: file, RATE_LIMIT_PER_MINUTE: "0", LOG_REQUESTS: "false" };
    const U = await start("unison", startCommand(), env);
    servers.push(U);
    const N = await start("unison, RESPONSE_CACHE_ENTRIES=0", startCommand(), { ...env, RESPONSE_CACHE_ENTRIES: "0" });
    servers.push(N);
    const slug = (i: number) => generatedProduct(pick(i, size)).slug;
    const sorts = ["title", "price", "newest"];
    const throughput = {
      "GET /v1/products/{slug}, cache on": [U, (i: number) => `/v1/products/${slug(i)}`],
      "GET /v1/products/{slug}, cache off": [N, (i: number) => `/v1/products/${slug(i)}`],
    } as const;
    // Each round's addresses are new (`v` = round and index): no page is remembered from an earlier round.
    const times = (round: number) =>
      ({
        "storefront /products/{slug}": [U, (i: number) => `/products/${slug(round * 100_003 + i)}`],
        "storefront / (rendered)": [U, (i: number) => `/?v=${round}-${i}`],
        "storefront /categories/{c} (rendered)": [U, (i: number) => `/categories/${CATEGORIES[i % CATEGORIES.length]}?v=${round}-${i}`],
        "paged sorted list (page 1–80)": [U, (i: number) => `/?sort=${sorts[i % 3]}&page=${1 + pick(i, 80)}&v=${round}-${i}`],
        "GET /v1/products?q=merino, cache off": [N, () => "/v1/products?q=merino&limit=20"],
        "floor: bare Hono, same client": [floorServer, () => "/"],
      }) as const;
    // Warm-up: the JIT and SQLite's page cache.
    for (const [server, path] of Object.values(throughput)) await load(server, path, Math.max(2, options.seconds / 2));
    for (const [server, path] of Object.values(times(99))) await serviceTimes(server, path, 200);
    const rows: Record<string, Row> = {};
    const record = (name: string, kind: Row["kind"], value: number, p99: number) => {
      const row = rows[name] ?? { kind, rounds: [], p99: 0 };
      rows[name] = row;
      row.rounds.push(value);
      row.p99 = Math.max(row.p99, p99);
    };
    for (let r = 0; r < options.rounds; r++) {
      for (const [name, [server, path]] of Object.entries(throughput)) {
        const result = await load(server, (i) => path(r * 1_000_003 + i), options.seconds);
        if (result.bad) throw new Error(`${name}: ${result.bad} errors/non-2xx`);
        record(name, "rps", result.rps, result.p99);
      }
      for (const [name, [server, path]] of Object.entries(times(r))) {
        const result = await serviceTimes(server, path, options.samples);
        record(name, "ms", result.p50, result.p99);
      }
      process.stderr.write(`${size.toLocaleString("en")} products: round ${r + 1}/${options.rounds}\n`);
    }
    return { rows, seedSeconds, readyMs: U.readyMs, peakRss: Math.max(U.peakRss, N.peakRss) };
  } finally {
    for (const s of servers) await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchScaleTable(options: Options) {
  pinLoadGenerator();
  build();
  const floor = await start("A", [process.execPath, "bench/baselines.mjs", "a", "PORT", join(import.meta.dirname, "../package.json")]);
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  try {
    for (const size of options.sizes) results.push(await measure(size, options, floor));
  } finally {
    await stop(floor);
  }
  const [base, ...others] = results;
  const sizes = options.sizes.map((n) => n.toLocaleString("en"));
  console.log(
    `\nScale: ${sizes.join(" vs ")} products (${options.rounds} rounds; servers ${pinned ? "on core 0, load on core 1" : "unpinned"}; medians, [range over rounds])`,
  );
  const show = (row: Row) =>
    row.kind === "rps"
      ? `${median(row.rounds).toFixed(0)} req/s (p99 ${row.p99} ms) [${row.rounds.map((x) => x.toFixed(0)).join(", ")}]`
      : `${median(row.rounds).toFixed(2)} ms (p99 ${row.p99.toFixed(1)}) [${range(row.rounds)}]`;
  for (const name of Object.keys(base!.rows)) {
    const a = base!.rows[name]!;
    const cells = others.map((o) => {
      const b = o.rows[name]!;
      // A cost ratio for times, a throughput ratio for req/s: ≤ 1.5 and ≥ 1/1.5 are the goals.
      const ratio = median(b.rounds) / median(a.rounds);
      return `${show(b)}  ratio ${ratio.toFixed(2)}`;
    });
    console.log(`${name.padEnd(40)} ${show(a).padEnd(44)} → ${cells.join("  |  ")}`);
  }
  const bare = nodeStartMs();
  console.log(
    `start to a ready /healthz: ${results.map((r, i) => `${sizes[i]} products ${r.readyMs.toFixed(0)} ms`).join(", ")}; a bare \`node -e 0\` ${bare.toFixed(0)} ms`,
  );
  console.log(
    `seeding through importContent: ${results.map((r, i) => `${sizes[i]} in ${r.seedSeconds.toFixed(1)} s`).join(", ")}; peak RSS of the servers: ${results.map((r, i) => `${sizes[i]} ${r.peakRss.toFixed(0)} MB`).join(", ")}`,
  );
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
  await benchScaleTable({
    sizes: option("--sizes", "1000,100000").split(",").map(Number),
    rounds: Number(option("--rounds", "3")),
    seconds: Number(option("--seconds", "4")),
    samples: Number(option("--samples", "400")),
  });
}
