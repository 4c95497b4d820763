/**
 * The full audit (bench 7) of this tree against another checkout of the project, paired: each round audits
 * the same generated catalogue once per tree, each in a fresh process, the order alternating, and prints
 * the CPU seconds of each audit (seeding excluded) and the median of the per-round ratios. CPU time, not
 * wall time: these machines are shared. On Linux it also prints the main thread's CPU alone: the process's
 * figure includes V8's background threads (optimizing compiles, concurrent GC), 1.5–2 of ~4 s, which move
 * with the machine's load more than the audit's own work does.
 *
 *   npx tsx bench/audit-paired.ts --base /path/to/other/checkout [--rounds 5] [--products 1000] [--channels web,mobile,sms,chat]
 *
 * The other checkout needs its node_modules (`cp -al`) and the same `bench/render.ts` exports
 * (`seededWithActions`) and `auditCatalogue(db, env)`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

interface Run {
  cpu: number;
  /** CPU seconds of the main thread alone (Linux), where the audit runs: the rest is V8's background compiling and GC. */
  main: number | null;
  wall: number;
  renders: number;
  violations: number;
}

/** One audit in this process: `--child <root> <products> [<channels>]`. */
async function child(root: string, products: number, channels: string[] | undefined): Promise<void> {
  const { seededWithActions } = await import(join(root, "bench/render.ts"));
  const { auditCatalogue } = await import(join(root, "src/consistency/audit.ts"));
  const { renderers } = await import(join(root, "renderers/index.ts"));
  const db = await seededWithActions(products);
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  const t0 = performance.now();
  const report = await auditCatalogue(db, { registry: renderers, baseUrl: "https://shop.example", now: new Date(), channels });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpu();
  const run: Run = {
    cpu: (cpu.user + cpu.system) / 1e6,
    main: main0 !== null && main1 !== null ? main1 - main0 : null,
    wall,
    renders: report.summary.renders,
    violations: report.summary.violations,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
  db.close();
}

/** CPU seconds of this process's main thread so far, from /proc (utime + stime, in clock ticks of 10 ms); null off Linux. */
function mainThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function measure(root: string, products: number, channels: string | undefined): Run {
  const out = spawnSync(
    process.execPath,
    ["--import", "tsx", import.meta.filename, "--child", root, String(products), ...(channels ? [channels] : [])],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  if (out.status !== 0) throw new Error(`${root}: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").at(-1)!);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (args[0] === "--child") {
  await child(args[1]!, Number(args[2]), args[3]?.split(","));
} else {
  const base = option("--base");
  if (!base) throw new Error("--base <checkout> is required");
  const rounds = Number(option("--rounds") ?? 5);
  const products = Number(option("--products") ?? 1000);
  // Channels added since the other checkout (the agent channel) are left out of both with `--channels web,mobile,sms,chat`.
  const channels = option("--channels");
  const ratios: number[] = [];
  const mainRatios: number[] = [];
  console.log(
    `Full audit of ${products} generated products${channels ? ` on ${channels}` : ""}, this tree vs ${base}, ${rounds} rounds (CPU seconds, order alternating)`,
  );
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ["base", "this"] : ["this", "base"];
    const runs: Record<string, Run> = {};
    for (const which of order) runs[which] = measure(which === "this" ? ROOT : base, products, channels);
    const ratio = runs.this!.cpu / runs.base!.cpu;
    ratios.push(ratio);
    const mainRatio = runs.this!.main && runs.base!.main ? runs.this!.main / runs.base!.main : null;
    if (mainRatio !== null) mainRatios.push(mainRatio);
    console.log(
      `  round ${round + 1}: this ${runs.this!.cpu.toFixed(2)} s (${runs.this!.renders} renders, ${runs.this!.violations} violations), ` +
        `base ${runs.base!.cpu.toFixed(2)} s (${runs.base!.renders} renders, ${runs.base!.violations} violations), ratio ${ratio.toFixed(3)}` +
        (mainRatio !== null
          ? `; main thread ${runs.this!.main!.toFixed(2)} / ${runs.base!.main!.toFixed(2)} s, ${mainRatio.toFixed(3)}`
          : ""),
    );
  }
  const line = (xs: number[]) => `${median(xs).toFixed(3)} (range ${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
  console.log(`median ratio this/base ${line(ratios)}`);
  if (mainRatios.length) console.log(`median ratio this/base, main thread only ${line(mainRatios)}`);
}
