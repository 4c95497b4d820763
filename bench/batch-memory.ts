/**
 * `unison import` and `unison check` at 1k / 10k / 100k products (the shape of bench/catalogue.ts), run as
 * child processes the way a user runs them; peak RSS of the process tree sampled from /proc every 100 ms.
 * Prints peak RSS, wall time and the 100k ÷ 1k ratios; exits 1 when a peak exceeds the 300 MB budget.
 *
 *   npm run bench:batch                 1k, 10k and 100k
 *   npm run bench:batch -- 1000 10000   chosen sizes
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCatalogue } from "./catalogue";
import { treeRss } from "./harness";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin/unison.mjs");
export const BUDGET_MB = 300;

/** Runs the CLI; resolves with its exit code, wall time (s) and peak RSS (MB) of its process tree. */
function measure(args: string[]): Promise<{ code: number | null; seconds: number; peakMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  let peakMb = 0;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, treeRss(child.pid!));
  }, 100);
  return new Promise((done) => {
    child.on("exit", (code) => {
      clearInterval(timer);
      done({ code, seconds: (performance.now() - started) / 1000, peakMb });
    });
  });
}

export interface BatchFigures {
  products: number;
  import: { seconds: number; peakMb: number };
  check: { seconds: number; peakMb: number };
}

/** Measures import then check at each size; the figures, printed as they come. */
export async function batchMemory(sizes: readonly number[] = [1_000, 10_000, 100_000], print = console.log): Promise<BatchFigures[]> {
  const out: BatchFigures[] = [];
  for (const products of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "unison-batch-"));
    try {
      writeCatalogue(join(dir, "content"), products);
      const db = join(dir, "u.db");
      const imported = await measure(["import", join(dir, "content"), "--db", db]);
      if (imported.code !== 0) throw new Error(`import of ${products} products exited ${imported.code}`);
      const checked = await measure(["check", "--db", db]);
      if (checked.code !== 0) throw new Error(`check of ${products} products exited ${checked.code}`);
      const row = { products, import: imported, check: checked };
      out.push(row);
      print(
        `${String(products).padStart(7)} products  import ${imported.peakMb.toFixed(0).padStart(4)} MB ${imported.seconds.toFixed(1).padStart(6)} s   check ${checked.peakMb.toFixed(0).padStart(4)} MB ${checked.seconds.toFixed(1).padStart(6)} s`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && last !== first) {
    const r = (a: number, b: number) => (a / b).toFixed(2);
    print(
      `${last.products} ÷ ${first.products}: import peak ${r(last.import.peakMb, first.import.peakMb)}, time ${r(last.import.seconds, first.import.seconds)}; check peak ${r(last.check.peakMb, first.check.peakMb)}, time ${r(last.check.seconds, first.check.seconds)}`,
    );
  }
  return out;
}

if (process.argv[1]?.endsWith("batch-memory.ts")) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const figures = await batchMemory(sizes.length ? sizes : undefined);
  const over = figures.filter((f) => f.import.peakMb > BUDGET_MB || f.check.peakMb > BUDGET_MB);
  if (over.length) {
    console.error(`over the ${BUDGET_MB} MB budget at ${over.map((f) => f.products).join(", ")} products`);
    process.exit(1);
  }
}
