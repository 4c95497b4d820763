/**
 * Issue #14's scale table: the same request paths at 1,000 and at 100,000 products, measured in
 * paired rounds in one run (each row at both sizes back to back), and each figure's ratio 100k ÷ 1k (goal: ≤ 1.5 for every cost, ≥ 0.67
 * for throughput). The catalogue is generated in the issue's shape (bench/catalogue.ts `issueProduct`:
 * a 300-character description, three variants, two locales, six categories), written through the real
 * import code (`importContent`, in batches of 20,000: publishing, sort keys, FTS, inventory) into a temp
 * file — never committed. The servers run as `npm start` runs them (after its build), on core 0, the
 * load generator on core 1, RATE_LIMIT_PER_MINUTE=0, everything else default.
 *
 *   npm run bench:scale                              3 rounds per size
 *   npm run bench:scale -- --rounds 1 --seconds 2    shorter
 *   npm run bench:scale -- --sizes 1000,20000        other sizes (the first is the baseline)
 *   npm run bench:scale -- --keep /tmp/unison-scale  keep the seeded files there and reuse them next time
 *   npm run bench:scale -- --rows q=,floor           only the rows whose name contains one of these
 *   npm run bench -- --scale                         the same, from the main benchmark
 *   npm run bench:scale -- --env RESPONSE_CACHE_BYTES=268435456,RESPONSE_CACHE_ENTRIES=262144 --fill --rows "cache on"
 *                                                    the servers with these settings, every product's JSON asked for once
 *                                                    before the warm-up (a cache sized to hold the catalogue, filled)
 *   npm run bench:scale -- --cold                    the database files as the OS's file cache has them; by default each is
 *                                                    read through once first, so both sizes measure reads from memory
 *
 * Rows (per size, medians over the rounds):
 *   random-slug GET /v1/products/{slug}, 32 connections: req/s with the response cache on (default) and off,
 *     and the server's CPU time per request (from /proc: steadier than req/s on a shared machine), whose
 *     on ÷ off ratio is the cache's promise (a miss never dearer than no cache; the storefront's rows run on a
 *     third server, so the two compared hold nothing else); the same for the web render
 *     (cache off) and the storefront's product page (no session), random slugs at 32 connections
 *   p50 / p99 service time, one connection, one request after the other (sub-millisecond timer):
 *     storefront /products/{slug} (random slug), / and /categories/{c} (a fresh address each time, so every
 *     request renders its page), the paged sorted list (sort and page 1–80 rotating, fresh addresses),
 *     GET /v1/products?q=merino (a common word: 1 product in 12 matches), response cache off
 *   the floor: a bare Hono server's constant answer through the same client (what no request can beat).
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderers } from "../renderers";
import { importContent } from "../src/catalogue/content";
import { pageBuilder } from "../src/channels/pages";
import { openSqlite } from "../src/node/sqlite";
import { CATEGORIES, generatedProduct, issueProduct, LOCALES } from "./catalogue";
import {
  build,
  load,
  median,
  nodeStartMs,
  pick,
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
  /** Only the rows whose name contains one of these (`--rows q=,storefront`); every row when absent. */
  rows?: string[] | undefined;
  /** Settings for every server (`--env NAME=value,…`), as an operator would set them. */
  env?: Record<string, string> | undefined;
  /** Ask every product's JSON once from the server with the response cache on before the warm-up (`--fill`). */
  fill?: boolean | undefined;
  /** Leave the database files as the OS's file cache has them, not read through first (`--cold`). */
  cold?: boolean | undefined;
}

/**
 * Reads a database file (and its WAL) through, so the OS's file cache holds all of it, as it does on a server whose
 * database has been read for a while (or after `vmtouch -t`). A 1,000-product file stays cached whole through any
 * run; of 100,000 products' 2 GB, read at random, much is not: these machines are VMs whose kernel pages out memory
 * not touched for 60 s (DAMON's `pageout` scheme, /sys/kernel/mm/damon/admin), the file cache included, and a random
 * read then measured the disk: a stored page's read took 232 µs instead of 40, the raw statement 42–85 µs instead of
 * 13–18, and a storefront product page cost 312–373 µs of CPU in process instead of 247–275. Done before every round.
 * Returns the bytes read.
 */
function readThrough(file: string): number {
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let total = 0;
  for (const path of [file, `${file}-wal`]) {
    if (!existsSync(path)) continue;
    const fd = openSync(path, "r");
    try {
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) total += n;
    } finally {
      closeSync(fd);
    }
  }
  return total;
}

/** Every product's JSON asked for once, 16 at a time: what the response cache holds once a catalogue has been read. */
async function fill(server: Server, size: number) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < size; i = next++) {
      // As the load generator asks (no Accept-Language: fetch would send `*`, another key of the cache).
      const res = await fetch(`${server.base}/v1/products/${generatedProduct(i).slug}`, { headers: { "accept-language": "" } });
      if (res.status !== 200) throw new Error(`fill: ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
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
      // As `unison import` does: with the storefront's stored pages.
      { pages: pageBuilder(renderers.web.site) },
    );
    if (report.problems.length) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
    if (count > BATCH) process.stderr.write(`\rseeded ${offset + n} / ${count}`);
  }
  if (count > BATCH) process.stderr.write("\n");
  db.close();
}

/** A figure per round: req/s under load, or the p50 service time in ms; the worst p99 seen. */
interface Row {
  kind: "rps" | "ms" | "us";
  rounds: number[];
  p99: number;
}

/** A catalogue size with its servers: `U` and `W` as `npm start` runs it, `N` with RESPONSE_CACHE_ENTRIES=0. */
interface Size {
  size: number;
  U: Server;
  /** As `npm start` runs it too, for the storefront's rows: its page memo and frames do not share U's heap. */
  W: Server;
  N: Server;
  file: string;
  seedSeconds: number;
  rows: Record<string, Row>;
}

/** The seeded file of a size: reused from `cacheDir` when an earlier run finished writing it (`.done` beside it). */
async function seeded(cacheDir: string, size: number): Promise<{ file: string; seconds: number }> {
  const file = join(cacheDir, `scale-${size}.db`);
  if (existsSync(`${file}.done`)) return { file, seconds: 0 };
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  const t0 = performance.now();
  await seed(file, size);
  writeFileSync(`${file}.done`, "");
  return { file, seconds: (performance.now() - t0) / 1000 };
}

/** The request paths of a size; each round's storefront addresses are new (`v`), so no page is remembered from an earlier round. */
function targets(s: Size, floor: Server, round: number, pages: number, rows?: string[]) {
  const all = allTargets(s, floor, round, pages);
  const keep = (group: Record<string, [Server, (i: number) => string]>) =>
    Object.fromEntries(Object.entries(group).filter(([name]) => !rows || rows.some((r) => name.includes(r))));
  return { throughput: keep(all.throughput), times: keep(all.times) };
}

function allTargets(s: Size, floor: Server, round: number, pages: number) {
  const slug = (i: number) => generatedProduct(pick(i, s.size)).slug;
  const sorts = ["title", "price", "newest"];
  return {
    throughput: {
      "GET /v1/products/{slug}, cache on": [s.U, (i: number) => `/v1/products/${slug(round * 1_000_003 + i)}`],
      "GET /v1/products/{slug}, cache off": [s.N, (i: number) => `/v1/products/${slug(round * 1_000_003 + i)}`],
      "GET /v1/render/web/products/{slug}, cache off": [s.N, (i: number) => `/v1/render/web/products/${slug(round * 1_000_003 + i)}`],
      "storefront /products/{slug}, 32 connections": [s.W, (i: number) => `/products/${slug(round * 1_000_033 + i)}`],
    },
    times: {
      "storefront /products/{slug}": [s.W, (i: number) => `/products/${slug(round * 100_003 + i)}`],
      "storefront / (rendered)": [s.W, (i: number) => `/?v=${round}-${i}`],
      "storefront /categories/{c} (rendered)": [s.W, (i: number) => `/categories/${CATEGORIES[i % CATEGORIES.length]}?v=${round}-${i}`],
      "paged sorted list (page 1–80 or fewer)": [s.W, (i: number) => `/?sort=${sorts[i % 3]}&page=${1 + pick(i, pages)}&v=${round}-${i}`],
      "GET /v1/products?q=merino, cache off": [s.N, () => "/v1/products?q=merino&limit=20"],
      "floor: bare Hono, same client": [floor, () => "/"],
    },
  } satisfies Record<string, Record<string, [Server, (i: number) => string]>>;
}

/**
 * Every size's servers run side by side (idle but for the one measured); each round measures each row
 * at every size back to back, so a row's ratio compares the same moment of this noisy machine.
 */
export async function benchScaleTable(options: Options & { cacheDir?: string | undefined }) {
  pinLoadGenerator();
  build();
  const cacheDir = options.cacheDir ?? mkdtempSync(join(tmpdir(), "unison-scale-"));
  mkdirSync(cacheDir, { recursive: true });
  const servers: Server[] = [];
  const sizes: Size[] = [];
  try {
    const floor = await start("A", [process.execPath, "bench/baselines.mjs", "a", "PORT", join(import.meta.dirname, "../package.json")]);
    servers.push(floor);
    for (const size of options.sizes) {
      const { file, seconds } = await seeded(cacheDir, size);
      const env = { DATABASE_PATH: file, RATE_LIMIT_PER_MINUTE: "0", LOG_REQUESTS: "false", ...options.env };
      const U = await start("unison", startCommand(), env);
      servers.push(U);
      const N = await start("unison, RESPONSE_CACHE_ENTRIES=0", startCommand(), { ...env, RESPONSE_CACHE_ENTRIES: "0" });
      servers.push(N);
      const W = await start("unison, storefront", startCommand(), env);
      servers.push(W);
      sizes.push({ size, file, U, N, W, seedSeconds: seconds, rows: {} });
    }
    // The same pages at every size: the first 80, or as many as the smallest catalogue has.
    const pages = Math.min(80, Math.floor(Math.min(...options.sizes) / 12));
    const warmFiles = () => {
      if (options.cold) return;
      for (const s of sizes) {
        const t0 = performance.now();
        const bytes = readThrough(s.file);
        process.stderr.write(
          `read ${s.size} products' file through: ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        );
      }
    };
    warmFiles();
    if (options.fill) for (const s of sizes) await fill(s.U, s.size);
    // Warm-up: the JIT and SQLite's page cache.
    for (const s of sizes) {
      const { throughput, times } = targets(s, floor, 99, pages, options.rows);
      for (const [server, path] of Object.values(throughput)) await load(server, path, Math.max(2, options.seconds / 2));
      for (const [server, path] of Object.values(times)) await serviceTimes(server, path, 200);
    }
    const record = (s: Size, name: string, kind: Row["kind"], value: number, p99: number) => {
      const row = s.rows[name] ?? { kind, rounds: [], p99: 0 };
      s.rows[name] = row;
      row.rounds.push(value);
      row.p99 = Math.max(row.p99, p99);
    };
    for (let r = 0; r < options.rounds; r++) {
      warmFiles();
      for (const name of Object.keys(targets(sizes[0]!, floor, r, pages, options.rows).throughput)) {
        for (const s of sizes) {
          const [server, path] = targets(s, floor, r, pages, options.rows).throughput[name]!;
          const result = await load(server, path, options.seconds);
          if (result.bad) throw new Error(`${name}: ${result.bad} errors/non-2xx`);
          record(s, name, "rps", result.rps, result.p99);
          record(s, `${name}: server CPU per request`, "us", result.cpuUs, 0);
        }
      }
      for (const name of Object.keys(targets(sizes[0]!, floor, r, pages, options.rows).times)) {
        for (const s of sizes) {
          const [server, path] = targets(s, floor, r, pages, options.rows).times[name]!;
          const result = await serviceTimes(server, path, options.samples);
          record(s, name, "ms", result.p50, result.p99);
        }
      }
      process.stderr.write(`round ${r + 1}/${options.rounds}\n`);
    }
    report(sizes, options);
  } finally {
    for (const s of servers) await stop(s);
    if (!options.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  }
  return sizes;
}

function report(sizes: Size[], options: Options) {
  const [base, ...others] = sizes;
  const names = sizes.map((s) => s.size.toLocaleString("en"));
  console.log(
    `\nScale: ${names.join(" vs ")} products, ${options.rounds} paired rounds (servers ${pinned ? "on core 0, load on core 1" : "unpinned"}); per size the median [rounds]; ratio = median of the per-round ratios [range]${
      options.env
        ? `; servers with ${Object.entries(options.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }${options.fill ? "; every product's JSON asked for once first" : ""}`,
  );
  const show = (row: Row) =>
    row.kind === "rps"
      ? `${median(row.rounds).toFixed(0)} req/s [${row.rounds.map((x) => x.toFixed(0)).join(", ")}] p99 ≤ ${row.p99} ms`
      : row.kind === "us"
        ? `${median(row.rounds).toFixed(0)} µs [${row.rounds.map((x) => x.toFixed(0)).join(", ")}]`
        : `${median(row.rounds).toFixed(2)} ms [${row.rounds.map((x) => x.toFixed(2)).join(", ")}] p99 ≤ ${row.p99.toFixed(1)}`;
  for (const name of Object.keys(base!.rows)) {
    const a = base!.rows[name]!;
    console.log(`${name}\n  ${names[0]!.padStart(7)}  ${show(a)}`);
    others.forEach((o, k) => {
      const b = o.rows[name]!;
      // Throughput ratios want ≥ 1/1.5, cost (time) ratios ≤ 1.5.
      const ratios = b.rounds.map((x, i) => x / a.rounds[i]!);
      console.log(`  ${names[k + 1]!.padStart(7)}  ${show(b)}   ratio ${median(ratios).toFixed(2)} [${range(ratios)}]`);
    });
  }
  // The cache's promise at every size: a request costs no more with it than without (on ÷ off ≤ 1, CPU per request).
  const cpu = (s: Size, which: "on" | "off") => s.rows[`GET /v1/products/{slug}, cache ${which}: server CPU per request`]?.rounds ?? [];
  if (cpu(base!, "on").length && cpu(base!, "off").length)
    console.log(
      `response cache on ÷ off, server CPU per request (median of rounds [range]): ${sizes
        .map((s, i) => {
          const ratios = cpu(s, "on").map((x, k) => x / cpu(s, "off")[k]!);
          return `${names[i]} ${median(ratios).toFixed(2)} [${range(ratios)}]`;
        })
        .join(", ")}`,
    );
  const bare = nodeStartMs();
  console.log(
    `start to a ready /healthz (npm start's command): ${sizes.map((s, i) => `${names[i]} products ${s.U.readyMs.toFixed(0)} / ${s.N.readyMs.toFixed(0)} ms`).join(", ")}; a bare \`node -e 0\` ${bare.toFixed(0)} ms`,
  );
  console.log(
    `seeding through importContent: ${sizes.map((s, i) => `${names[i]} ${s.seedSeconds ? `in ${s.seedSeconds.toFixed(0)} s` : "reused"}`).join(", ")}; peak RSS of the servers: ${sizes.map((s, i) => `${names[i]} ${Math.max(s.U.peakRss, s.N.peakRss, s.W.peakRss).toFixed(0)} MB`).join(", ")}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
  await benchScaleTable({
    sizes: option("--sizes", "1000,100000").split(",").map(Number),
    rounds: Number(option("--rounds", "3")),
    seconds: Number(option("--seconds", "4")),
    samples: Number(option("--samples", "400")),
    cacheDir: args.includes("--keep") ? option("--keep", "") : undefined,
    rows: args.includes("--rows") ? option("--rows", "").split(",") : undefined,
    env: args.includes("--env")
      ? Object.fromEntries(
          option("--env", "")
            .split(",")
            .map((pair) => pair.split("=", 2)),
        )
      : undefined,
    fill: args.includes("--fill"),
    cold: args.includes("--cold"),
  });
}
