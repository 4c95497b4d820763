/**
 * What the out-of-process benchmarks share (bench/paired.ts, bench/scale.ts, bench/against.ts): servers started as
 * `npm start` runs them, pinned to core 0 with the load generator on core 1 when `taskset` works,
 * autocannon load with a path per request, single-connection service times, the RSS of a process
 * tree from /proc, and process start times.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import autocannon from "autocannon";
import { issueProduct, LOCALES } from "./catalogue";

export const ROOT = join(import.meta.dirname, "..");
export const CONNECTIONS = 32;

/** Whether processes can be pinned to a core (`taskset`). */
export const pinned = (() => {
  try {
    execFileSync("taskset", ["-c", "0", "true"]);
    return true;
  } catch {
    return false;
  }
})();

/** Puts this process (the load generator) on core 1, the servers' core 0 left to them. */
export function pinLoadGenerator() {
  if (pinned) execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
}

/** Exactly what `npm start` runs after its build (its node flags included), without npm around it. */
export function startCommand(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  return [process.execPath, ...script.split(/\s+/).slice(1)];
}

/**
 * `count` products in the issue's shape (`issueProduct`) written as content files under `dir` and imported
 * with `unison import` into `dir/bench.db`, as a user would. Returns the file and the import's wall time.
 */
export function importedCatalogue(dir: string, count: number): { db: string; seconds: number } {
  const content = join(dir, "content");
  mkdirSync(join(content, "products"), { recursive: true });
  writeFileSync(join(content, "locales.json"), JSON.stringify(LOCALES));
  for (let i = 0; i < count; i++) {
    const product = issueProduct(i);
    writeFileSync(join(content, "products", `${product.slug}.json`), JSON.stringify(product));
  }
  const db = join(dir, "bench.db");
  const t0 = performance.now();
  const cli = spawnSync(process.execPath, [join(ROOT, "bin/unison.mjs"), "import", content, "--db", db], { encoding: "utf8" });
  if (cli.status !== 0) throw new Error(`unison import failed: ${cli.stderr}`);
  return { db, seconds: (performance.now() - t0) / 1000 };
}

/** Builds dist/ as `npm start`'s prestart does. */
export function build() {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "inherit" });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The resident memory of a process and all its descendants, in MB (from /proc). */
export function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {}
  }
  let kb = 0;
  const walk = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return kb / 1024;
}

/** The CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

export interface Server {
  name: string;
  child: ChildProcess;
  base: string;
  peakRss: number;
  /** From spawning the process to its first 200 from /healthz. */
  readyMs: number;
  /** CPU time (user + system, from /proc/<pid>/stat) the process had used by then: what a busy machine does not inflate. */
  readyCpuMs: number;
}

/** Starts a server on a free port (PORT, HOST in its environment), pinned, and waits for a 200 from /healthz. */
export async function start(name: string, command: string[], env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const t0 = performance.now();
  const argv = pinned ? ["taskset", "-c", "0", ...command] : command;
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {}
    if (i > 6000) throw new Error(`${name} did not start`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - t0;
  return { name, child, base, peakRss: 0, readyMs, readyCpuMs: cpuMs(child.pid!) };
}

/** Stops a server this benchmark started, and waits for it to exit. */
export async function stop(server: Server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

/** How long a bare `node -e 0` takes to start and exit here, pinned like the servers: the floor of any start (median of `runs`). */
export function nodeStartMs(runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const argv = pinned ? ["taskset", "-c", "0", process.execPath, "-e", "0"] : [process.execPath, "-e", "0"];
    const t0 = performance.now();
    spawnSync(argv[0]!, argv.slice(1));
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** autocannon at `connections` for `seconds`, the path chosen per request, the server's tree RSS sampled. */
export async function load(server: Server, path: (i: number) => string, seconds: number, connections = CONNECTIONS) {
  let n = 0;
  const sampler = setInterval(() => {
    if (server.child.pid) server.peakRss = Math.max(server.peakRss, treeRss(server.child.pid));
  }, 250);
  const cpu0 = server.child.pid ? cpuMs(server.child.pid) : 0;
  try {
    const r = await autocannon({
      url: server.base,
      connections,
      duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, path: path(n++) }) }],
    });
    return {
      rps: r.requests.average,
      /**
       * The server's CPU time per answered request, in µs: what a request costs, whatever else the machine
       * is doing (a throughput figure moves with the neighbours; this one far less).
       */
      cpuUs: server.child.pid && r.requests.total ? ((cpuMs(server.child.pid) - cpu0) * 1000) / r.requests.total : 0,
      mean: r.latency.mean,
      p50: r.latency.p50,
      p99: r.latency.p99,
      bad: r.errors + r.non2xx,
      non2xx: r.non2xx,
      timeouts: r.timeouts,
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Service time without load: `count` requests one after the other on one kept-alive connection, each
 * timed from sending to the last byte (sub-millisecond, unlike autocannon's whole-millisecond percentiles).
 * Throws on a non-200 answer.
 */
export async function serviceTimes(server: Server, path: (i: number) => string, count: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const url = `${server.base}${path(i)}`;
      const t0 = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(url, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      times.push(performance.now() - t0);
      if (status !== 200) throw new Error(`${url} → ${status}`);
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

/** A deterministic uniform pick in [0, n) per request index (mulberry32 of the index). */
export function pick(i: number, n: number): number {
  let t = (i + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}
