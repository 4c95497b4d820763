/**
 * This tree against another checkout, the way `npm run bench:paired` measures (servers on core 0, autocannon on
 * core 1, 32 connections, the slug rotating over 1,000 products imported with `unison import`, defaults kept
 * except RATE_LIMIT_PER_MINUTE=0), with A, the bare Hono server, in the same rounds. Both trees are built as
 * `npm start` builds them and serve the same database file. Per path it prints each server's req/s ÷ A and
 * the server's CPU per request read from /proc, and this tree's CPU ÷ the other's: what a change bought,
 * measured in one run on a shared machine.
 *
 *   git worktree add --detach ../before <commit> && cp -al node_modules ../before/node_modules
 *   npm run bench:against -- --base ../before
 *   npm run bench:against -- --base ../before --rounds 5 --seconds 3 --paths /v1/products/{slug},/products/{slug}
 *   npm run bench:against -- --base ../before --db /tmp/unison-scale/scale-100000.db --products 100000
 *     an existing catalogue file instead (bench:scale --keep writes one), the slug picked at random over its
 *     products on every request; both trees serve that file as it is
 *   npm run bench:against -- --base ../before --env RESPONSE_CACHE_ENTRIES=0
 *     both servers with these settings too (comma-separated NAME=value pairs)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { issueProduct } from "./catalogue";
import { build, importedCatalogue, load, median, pick, pinLoadGenerator, ROOT, range, type Server, start, startCommand } from "./harness";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const baseTree = option("--base");
const ROUNDS = Number(option("--rounds") ?? 5);
const SECONDS = Number(option("--seconds") ?? 3);
const PATHS = (option("--paths") ?? "/v1/products/{slug},/v1/render/web/products/{slug},/products/{slug}").split(",");
const GIVEN_DB = option("--db");
const PRODUCTS = Number(option("--products") ?? 1000);
const EXTRA_ENV = Object.fromEntries(
  (option("--env") ?? "")
    .split(",")
    .filter(Boolean)
    .map((pair) => pair.split("=", 2) as [string, string]),
);
if (!baseTree) {
  console.error("Give the other checkout: --base <dir> (with its own node_modules).");
  process.exit(2);
}

pinLoadGenerator();
const dir = mkdtempSync(join(tmpdir(), "unison-against-"));
const servers: Server[] = [];
try {
  build();
  execFileSync(process.execPath, [join(resolve(baseTree), "scripts/build.mjs")], { cwd: resolve(baseTree), stdio: "inherit" });
  const db = GIVEN_DB ? resolve(GIVEN_DB) : importedCatalogue(dir, PRODUCTS).db;
  const slugs = Array.from({ length: PRODUCTS }, (_, i) => issueProduct(i).slug);
  // A given catalogue is read at random (a large one's neighbouring slugs share pages); the imported one in turn.
  const slugAt = (i: number) => slugs[GIVEN_DB ? pick(i, slugs.length) : i % slugs.length]!;
  writeFileSync(join(dir, "a.json"), JSON.stringify({ data: issueProduct(0) }));

  const env = { DATABASE_PATH: db, RATE_LIMIT_PER_MINUTE: "0", ...EXTRA_ENV };
  const command = startCommand();
  const entry = (tree: string) => command.map((part) => (part === "dist/node.js" ? join(tree, "dist/node.js") : part));
  const A = await start("A", [process.execPath, "bench/baselines.mjs", "a", "PORT", join(dir, "a.json")]);
  servers.push(A);
  const base = await start("base", entry(resolve(baseTree)), env);
  servers.push(base);
  const next = await start("this tree", entry(ROOT), env);
  servers.push(next);

  console.log(
    `this tree against ${baseTree}: ${ROUNDS} paired rounds × ${SECONDS} s per path, ${PRODUCTS.toLocaleString("en")} products${GIVEN_DB ? ` (${GIVEN_DB}, random slugs)` : ""}, 32 connections${option("--env") ? `, ${option("--env")}` : ""}`,
  );
  for (const template of PATHS) {
    const path = (i: number) => template.replace("{slug}", slugAt(i));
    for (const server of [base, next]) await load(server, path, 2);
    await load(A, () => "/", 2);
    const rounds: { a: number; base: Awaited<ReturnType<typeof load>>; next: Awaited<ReturnType<typeof load>> }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = (await load(A, () => "/", SECONDS)).rps;
      // Which tree goes first alternates.
      const first = await load(r % 2 ? next : base, path, SECONDS);
      const second = await load(r % 2 ? base : next, path, SECONDS);
      rounds.push(r % 2 ? { a, next: first, base: second } : { a, base: first, next: second });
    }
    const of = (f: (r: (typeof rounds)[number]) => number) => rounds.map(f);
    const show = (xs: number[]) => `${median(xs).toFixed(2)} (${range(xs)})`;
    console.log(`${template}
  req/s ÷ A: other tree ${show(of((r) => r.base.rps / r.a))}, this tree ${show(of((r) => r.next.rps / r.a))}
  CPU per request: other tree ${median(of((r) => r.base.cpuUs)).toFixed(0)} µs, this tree ${median(of((r) => r.next.cpuUs)).toFixed(0)} µs; this ÷ other ${show(of((r) => r.next.cpuUs / r.base.cpuUs))}`);
  }
} finally {
  for (const server of servers) server.child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
