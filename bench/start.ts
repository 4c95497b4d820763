/**
 * Issue #14's start goal: from spawning the server (`npm start`'s command after its build) to the
 * first 200 from /healthz on a seeded database, under 1 s. Builds once, seeds a temp database with a
 * first start (content/ and the demo journeys, as `npm start` does on a fresh checkout), then starts the
 * server `--runs` times against it and prints the medians of the wall time and of the CPU time the
 * process had used until ready (from /proc/<pid>/stat: what other work on a shared machine does not
 * inflate), beside a bare `node -e 0`.
 *
 *   npm run bench:start                          9 starts
 *   npm run bench:start -- --runs 15
 *   npm run bench:start -- --against test-artifacts/dist-before
 *       also an earlier build (a copy of its dist/ kept inside this project, so node_modules resolves),
 *       the two started alternately, and the ratios this build ÷ that one
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build, median, nodeStartMs, ROOT, range, start, startCommand, stop } from "./harness";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const runs = Number(option("runs") ?? 9);
const against = option("against");

build();
const dir = mkdtempSync(join(tmpdir(), "unison-start-"));
const env = { DATABASE_PATH: join(dir, "unison.db"), LOG_REQUESTS: "false" };
const command = startCommand();
const builds: { name: string; command: string[] }[] = [{ name: "this build", command }];
if (against) {
  const entry = resolve(against, "node.js");
  // A build finds migrations/ one or two levels above its files: beside a copy outside the project root, a link to ours.
  const migrations = resolve(against, "../migrations");
  if (!existsSync(migrations)) symlinkSync(join(ROOT, "migrations"), migrations);
  builds.push({ name: against, command: command.map((part) => (part === "dist/node.js" ? entry : part)) });
}
try {
  await stop(await start("seeding", command, env));
  const times = builds.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let run = 0; run < runs; run++) {
    for (const [i, b] of builds.entries()) {
      const server = await start(b.name, b.command, env);
      await stop(server);
      times[i]!.wall.push(server.readyMs);
      times[i]!.cpu.push(server.readyCpuMs);
    }
  }
  const bare = nodeStartMs();
  console.log(`start to a ready /healthz on a seeded database, median of ${runs} starts (range):`);
  for (const [i, b] of builds.entries()) {
    const t = times[i]!;
    console.log(
      `  ${b.name.padEnd(28)} wall ${median(t.wall).toFixed(0)} ms (${range(t.wall, 0)}), CPU ${median(t.cpu).toFixed(0)} ms (${range(t.cpu, 0)})`,
    );
  }
  if (against) {
    const ratio = (key: "wall" | "cpu") => median(times[0]![key].map((x, run) => x / times[1]![key][run]!)).toFixed(2);
    console.log(`  this build ÷ ${against}: wall ${ratio("wall")}, CPU ${ratio("cpu")} (median of per-run ratios)`);
  }
  console.log(`  a bare \`node -e 0\`: ${bare.toFixed(0)} ms wall (the floor); goal: under 1,000 ms wall`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
