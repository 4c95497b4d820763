/**
 * The paired benchmark of issue #14, as an outside benchmark measures: every server pinned to core 0
 * (`taskset -c 0`), autocannon on core 1, 32 connections, no pipelining, the slug rotating on every
 * request over 1,000 generated products (300-character description, three variants) imported with
 * `unison import`, defaults kept except RATE_LIMIT_PER_MINUTE=0. Each round measures every target
 * back to back, with the baselines in the same round:
 *   A  bare Hono + @hono/node-server answering a constant JSON body
 *   B  Hono + better-sqlite3 prepared statements: JSON, and a Handlebars HTML page (bench/baselines.mjs)
 * and prints per-target medians, the median of the per-round ratios and their range. The RSS of the
 * Unison server's process tree is sampled from /proc throughout.
 *
 *   npm run bench:paired                       7 rounds × 4 s
 *   npm run bench:paired -- --rounds 3 --seconds 2
 *   npm run bench:paired -- --soak 5           only the memory run: 5 minutes of mixed load (API, renders,
 *                                              storefront, search) at 32 connections on the server as `npm start`
 *                                              runs it, RSS of its process tree sampled every second; prints the
 *                                              peak of minute 1 and of the last minute and exits 1 when the last
 *                                              grew more than 10 % over minute 1 or any sample passed 150 MB
 *   npm run bench:paired -- --products 100000  the same at another catalogue size (generated, never committed)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { CATEGORIES, generatedProduct, issueProduct } from "./catalogue";
import {
  build,
  CONNECTIONS,
  importedCatalogue,
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
  treeRss,
} from "./harness";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const ROUNDS = option("--rounds", 7);
const SECONDS = option("--seconds", 4);
const PRODUCTS = option("--products", 1000);
const SOAK_MINUTES = option("--soak", 0);
const slugs = Array.from({ length: 1000 }, (_, i) => generatedProduct(Math.floor((i * PRODUCTS) / 1000)).slug);

/**
 * The memory run: mixed load for SOAK_MINUTES at 32 connections (each path in turn, the slug rotating),
 * the RSS of the server's process tree sampled every second. Memory should level off within the first
 * minute (caches filled, the heap at its working size) and stay there.
 */
async function soak(server: Server, paths: ((i: number) => string)[]) {
  const LIMIT_MB = 150;
  console.log(
    `\nsoak: ${SOAK_MINUTES} min of mixed load (${paths.length} paths) at ${CONNECTIONS} connections, ${PRODUCTS} products; RSS of the process tree each second`,
  );
  // Warm-up: every address of the working set once (the caches filled), so minute 1 measures a warm server
  // however slow the machine is today.
  let w = 0;
  const warm = paths.length * slugs.length;
  await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    amount: warm,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[w % paths.length]!(Math.floor(w++ / paths.length)) }) }],
  });
  process.stderr.write(`warm-up: ${warm} requests, RSS ${treeRss(server.child.pid!).toFixed(0)} MB\n`);
  const samples: { t: number; mb: number }[] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => samples.push({ t: (performance.now() - t0) / 1000, mb: treeRss(server.child.pid!) }), 1000);
  let requests = 0;
  let bad = 0;
  let errors = 0;
  try {
    for (let minute = 0; minute < SOAK_MINUTES; minute++) {
      const r = await load(server, (i) => paths[i % paths.length]!(Math.floor(i / paths.length)), 60);
      requests += r.rps * 60;
      bad += r.non2xx;
      errors += r.bad - r.non2xx;
      const these = samples.filter((s) => s.t > minute * 60);
      process.stderr.write(
        `minute ${minute + 1}: ${r.rps.toFixed(0)} req/s, RSS ${Math.min(...these.map((s) => s.mb)).toFixed(0)}–${Math.max(...these.map((s) => s.mb)).toFixed(0)} MB\n`,
      );
    }
  } finally {
    clearInterval(sampler);
  }
  const peakOf = (from: number, to: number) => Math.max(...samples.filter((s) => s.t > from && s.t <= to).map((s) => s.mb));
  const end = samples.at(-1)!.t;
  const minute1 = peakOf(0, 60);
  const last = peakOf(end - 60, end);
  const peak = Math.max(...samples.map((s) => s.mb));
  console.log(
    `RSS peak in minute 1 ${minute1.toFixed(0)} MB, in minute ${SOAK_MINUTES} ${last.toFixed(0)} MB (${((last / minute1 - 1) * 100).toFixed(1)} %), overall ${peak.toFixed(0)} MB; ${Math.round(requests)} requests, ${bad} non-2xx, ${errors} socket errors/timeouts`,
  );
  const failures = [
    ...(last > minute1 * 1.1 ? [`grew ${((last / minute1 - 1) * 100).toFixed(0)} % after minute 1 (limit 10 %)`] : []),
    ...(peak > LIMIT_MB ? [`peaked at ${peak.toFixed(0)} MB (limit ${LIMIT_MB} MB)`] : []),
    ...(bad > 0 ? [`answered ${bad} requests with a non-2xx status`] : []),
  ];
  if (failures.length) {
    console.log(`FAIL: the process tree ${failures.join("; ")}`);
    process.exitCode = 1;
  } else console.log("PASS: flat after minute 1 and under 150 MB");
}

async function main() {
  // The load generator on the other core.
  pinLoadGenerator();
  const dir = mkdtempSync(join(tmpdir(), "unison-paired-"));
  const servers: Server[] = [];
  try {
    // The catalogue as content files, imported by the CLI (built first, as npm start would).
    build();
    const { db, seconds } = importedCatalogue(dir, PRODUCTS);
    console.log(`${PRODUCTS} products imported with unison import in ${seconds.toFixed(1)} s`);
    const body = JSON.stringify({ data: issueProduct(0) });
    writeFileSync(join(dir, "a.json"), body);

    const unisonEnv = { DATABASE_PATH: db, RATE_LIMIT_PER_MINUTE: "0" };
    const unison = startCommand();
    const slug = (i: number) => slugs[i % slugs.length]!;
    if (SOAK_MINUTES > 0) {
      const U = await start("unison", unison, unisonEnv);
      servers.push(U);
      console.log(`start to a ready /healthz on the seeded database: ${U.readyMs.toFixed(0)} ms`);
      await soak(U, [
        (i) => `/v1/products/${slug(i)}`,
        (i) => `/v1/render/web/products/${slug(i)}`,
        (i) => `/v1/render/sms/products/${slug(i)}`,
        (i) => `/products/${slug(i)}`,
        () => "/",
        (i) => `/categories/${CATEGORIES[i % CATEGORIES.length]}`,
        () => "/v1/products?q=merino",
      ]);
      return;
    }
    const A = await start("A", [process.execPath, "bench/baselines.mjs", "a", "PORT", join(dir, "a.json")]);
    servers.push(A);
    const B = await start("B", [process.execPath, "bench/baselines.mjs", "b", "PORT", db]);
    servers.push(B);
    const U = await start("unison", unison, unisonEnv);
    servers.push(U);
    const N = await start("unison, RESPONSE_CACHE_ENTRIES=0", unison, {
      ...unisonEnv,
      RESPONSE_CACHE_ENTRIES: "0",
    });
    servers.push(N);

    const targets = {
      A: [A, () => "/"],
      "B json": [B, (i) => `/json/${slug(i)}`],
      "B html": [B, (i) => `/html/${slug(i)}`],
      "/v1/products/{slug}": [U, (i) => `/v1/products/${slug(i)}`],
      "/v1/products/{slug} no cache": [N, (i) => `/v1/products/${slug(i)}`],
      "/v1/render/web/products/{slug}": [U, (i) => `/v1/render/web/products/${slug(i)}`],
      "/v1/render/sms/products/{slug}": [U, (i) => `/v1/render/sms/products/${slug(i)}`],
      "storefront /products/{slug}": [U, (i) => `/products/${slug(i)}`],
      "storefront /": [U, () => "/"],
      "storefront /categories/{c}": [U, (i) => `/categories/${CATEGORIES[i % CATEGORIES.length]}`],
      "/v1/products?q=merino": [U, () => "/v1/products?q=merino"],
    } satisfies Record<string, [Server, (i: number) => string]>;
    type Name = keyof typeof targets;
    for (const [server, path] of Object.values(targets)) await load(server, path, 2);

    const rounds: Record<Name, Awaited<ReturnType<typeof load>>>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = {} as (typeof rounds)[number];
      for (const [name, [server, path]] of Object.entries(targets) as [Name, [Server, (i: number) => string]][]) {
        round[name] = await load(server, path, SECONDS);
      }
      rounds.push(round);
      process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
    }
    // Unloaded service time: one connection (autocannon's percentiles are whole milliseconds on loopback: the mean is finer).
    // Unloaded service time: one kept-alive connection, one request after the other, timed to the last byte with a
    // sub-millisecond clock (autocannon's latencies are whole milliseconds: both read 0.01 ms).
    const single = { A: await serviceTimes(A, () => "/", 2000), U: await serviceTimes(U, (i) => `/v1/products/${slug(i)}`, 2000) };

    const against: Record<Name, Name | null> = {
      A: null,
      "B json": "A",
      "B html": "A",
      "/v1/products/{slug}": "A",
      "/v1/products/{slug} no cache": "B json",
      "/v1/render/web/products/{slug}": "A",
      "/v1/render/sms/products/{slug}": "A",
      "storefront /products/{slug}": "B html",
      "storefront /": "B html",
      "storefront /categories/{c}": "B html",
      "/v1/products?q=merino": "B json",
    };
    console.log(
      `\n${PRODUCTS} products, ${CONNECTIONS} connections, ${ROUNDS} paired rounds × ${SECONDS} s, servers ${pinned ? "on core 0" : "unpinned"}; medians (range of per-round ratios)`,
    );
    console.log(`${"target".padEnd(34)} ${"req/s".padStart(8)} ${"p50".padStart(6)} ${"p99".padStart(6)}  ratio`);
    for (const name of Object.keys(targets) as Name[]) {
      const base = against[name];
      const ratios = base ? rounds.map((r) => r[name].rps / r[base].rps) : [];
      const bad = rounds.reduce((n, r) => n + r[name].bad, 0);
      console.log(
        `${name.padEnd(34)} ${median(rounds.map((r) => r[name].rps))
          .toFixed(0)
          .padStart(8)} ${median(rounds.map((r) => r[name].p50))
          .toFixed(1)
          .padStart(6)} ${median(rounds.map((r) => r[name].p99))
          .toFixed(1)
          .padStart(
            6,
          )}  ${base ? `${median(ratios).toFixed(2)} ÷ ${base} (${range(ratios)})` : ""}${bad ? `  ${bad} errors/non-2xx!` : ""}`,
      );
    }
    console.log(
      `unloaded (1 connection, one request after the other) p50: unison /v1/products/{slug} ${single.U.p50.toFixed(3)} ms, A ${single.A.p50.toFixed(3)} ms (ratio ${(single.U.p50 / single.A.p50).toFixed(2)}; goal ≤ 0.15 ms)`,
    );
    const bare = nodeStartMs();
    console.log(
      `start to a ready /healthz on the seeded database: unison ${U.readyMs.toFixed(0)} ms, A ${A.readyMs.toFixed(0)} ms, a bare \`node -e 0\` ${bare.toFixed(0)} ms (unison ÷ node -e 0 ${(U.readyMs / bare).toFixed(1)}; goal < 1 s)`,
    );
    console.log(
      `peak RSS of the process tree: unison ${U.peakRss.toFixed(0)} MB, unison without cache ${N.peakRss.toFixed(0)} MB, B ${B.peakRss.toFixed(0)} MB, A ${A.peakRss.toFixed(0)} MB`,
    );
  } finally {
    for (const s of servers) s.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
