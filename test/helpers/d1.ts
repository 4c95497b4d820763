import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatformProxy, type Unstable_DevWorker, unstable_dev } from "wrangler";
import type { Database } from "../../src/db/client";
import { openD1 } from "../../src/db/d1";

export const ROOT = join(import.meta.dirname, "../..");

/** Runs wrangler from this repo, non-interactively, with no telemetry. */
export function wrangler(args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  if (result.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export interface LocalD1 {
  dir: string;
  binding: D1Database;
  db: Database;
  dispose(): Promise<void>;
}

/**
 * A fresh local D1 (the same SQLite-in-workerd that `wrangler dev` uses) in a
 * temp dir, with the real migrations applied by `wrangler d1 migrations apply`.
 */
export async function localD1(): Promise<LocalD1> {
  const dir = await mkdtemp(join(tmpdir(), "unison-d1-"));
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", dir]);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath: join(ROOT, "wrangler.toml"), persist: { path: join(dir, "v3") } });
  return {
    dir,
    binding: proxy.env.DB,
    db: openD1(proxy.env.DB),
    async dispose() {
      await proxy.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The two drivers as `describe.each` rows: better-sqlite3 in memory and a fresh
 * local D1 per call. Call `dispose()` in `afterAll` to remove the D1 temp dirs.
 *
 * @example
 * const { drivers, dispose } = bothDrivers();
 * afterAll(dispose);
 * describe.each(drivers)("on %s", (driver, open) => { … });
 */
export function bothDrivers() {
  const opened: LocalD1[] = [];
  const drivers: [string, () => Promise<Database>][] = [
    ["better-sqlite3", async () => (await import("../../src/node/sqlite")).openSqlite(":memory:")],
    [
      "d1",
      async () => {
        const d1 = await localD1();
        opened.push(d1);
        return d1.db;
      },
    ],
  ];
  return { drivers, dispose: async () => void (await Promise.all(opened.map((d) => d.dispose()))) };
}

/**
 * The real Worker (src/worker.ts bundled by wrangler, run by workerd) on a local D1 from `localD1()`,
 * on 127.0.0.1 and a free port. `vars` are added to PUBLIC_BASE_URL https://shop.example and
 * LOG_REQUESTS false. Stop it (`worker.stop()`) before disposing of the D1.
 *
 * @example
 * const d1 = await localD1();
 * const worker = await localWorker(d1, { RATE_LIMIT_PER_MINUTE: "0" });
 * const url = `http://${worker.address}:${worker.port}`;
 */
export async function localWorker(d1: LocalD1, vars: Record<string, string> = {}): Promise<Unstable_DevWorker> {
  return unstable_dev(join(ROOT, "src/worker.ts"), {
    config: join(ROOT, "wrangler.toml"),
    local: true,
    persistTo: d1.dir,
    ip: "127.0.0.1",
    port: 0,
    logLevel: "error",
    experimental: { disableExperimentalWarning: true, testMode: true },
    vars: { PUBLIC_BASE_URL: "https://shop.example", LOG_REQUESTS: "false", ...vars },
  });
}
