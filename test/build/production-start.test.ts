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
        DEMO_JOURNEYS: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
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

    // Request logs are on by default, written a batch at a time (src/node/log.ts): one JSON line per request,
    // in the order they were answered, each with its id and status — answered from memory or routed.
    const sequential = Array.from({ length: 12 }, (_, i) => `seq-${i}`);
    for (const [i, id] of sequential.entries()) {
      const path = i % 3 === 2 ? "/v1/products/no-such-product" : "/v1/products";
      await (await fetch(`${url}${path}`, { headers: { "x-request-id": id } })).arrayBuffer();
    }
    const burst = Array.from({ length: 64 }, (_, i) => `burst-${i}`);
    await Promise.all(
      burst.map(async (id) => (await fetch(`${url}/v1/products?limit=2`, { headers: { "x-request-id": id } })).arrayBuffer()),
    );
    const logged = async () => {
      for (let i = 0; i < 100; i++) {
        const lines = out
          .split("\n")
          .filter((line) => line.startsWith('{"at"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        if (lines.some((l) => l.requestId === burst.at(-1)) && burst.every((id) => lines.some((l) => l.requestId === id))) return lines;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the request log lines did not arrive:\n${out}`);
    };
    const lines = await logged();
    const ids = lines.map((l) => l.requestId as string);
    expect(ids.filter((id) => id.startsWith("seq-"))).toEqual(sequential);
    expect(ids.filter((id) => id.startsWith("burst-")).sort()).toEqual([...burst].sort());
    expect(lines.find((l) => l.requestId === "seq-2")).toMatchObject({
      method: "GET",
      path: "/v1/products/no-such-product",
      status: 404,
      keyId: null,
    });
    expect(lines.find((l) => l.requestId === "seq-1")).toMatchObject({ method: "GET", path: "/v1/products", status: 200 });
  }, 120_000);
});
