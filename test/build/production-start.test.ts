/**
 * `npm start` is the production start: it builds plain JavaScript (scripts/build.mjs → dist/) and
 * runs it with node — no TypeScript loader and no esbuild service process beside the server. The
 * process tree is read from /proc (Linux, as on every machine this project runs on).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkedFetch } from "../helpers/contract";

const ROOT = join(import.meta.dirname, "../..");

/** The command lines of a process and all its descendants. */
function tree(pid: number): string[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const lines: string[] = [];
  const walk = (p: number) => {
    try {
      lines.push(readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      return;
    }
    for (const child of parents.get(p) ?? []) walk(child);
  };
  walk(pid);
  return lines;
}

let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.pid) process.kill(-child.pid, "SIGTERM");
});

describe("npm start", () => {
  it("builds, then serves the compiled JavaScript with no tsx or esbuild process in its tree", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-start-"));
    child = spawn("npm", ["start"], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_PATH: join(dir, "u.db"),
        LOG_REQUESTS: "false",
        DEMO_JOURNEYS: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`npm start did not print its address:\n${out}`)), 90_000);
      const read = (chunk: Buffer) => {
        out += chunk.toString();
        const found = /Health\s+(http:\/\/\S+)\/healthz/.exec(out)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child!.stdout!.on("data", read);
      child!.stderr!.on("data", read);
      child!.on("exit", (code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
    });
    expect((await checkedFetch(url)("/healthz")).status).toBe(200);
    const products = (await (await checkedFetch(url)("/v1/products")).json()) as { data: unknown[] };
    expect(products.data.length).toBeGreaterThan(0);

    const commands = tree(child.pid!);
    expect(commands.some((c) => /node(\s+\S+)*\s+dist\/node\.js$/.test(c))).toBe(true);
    expect(commands.filter((c) => /esbuild|tsx/.test(c))).toEqual([]);
  }, 120_000);
});
