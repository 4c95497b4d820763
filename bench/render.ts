/**
 * Rendering benchmarks (issue: renderers and the consistency engine).
 *
 * 5. render   GET /v1/render/{channel}/products/{slug} per channel (cached) vs GET /v1/products/{slug}, same server, same run
 * 6. publish  cold render + parity check of one product on every channel, format and locale (what the publish gate costs)
 * 7. audit    the whole-catalogue audit of 10,000 generated products: renders per second on one core, peak memory
 */
import { join } from "node:path";
import autocannon from "autocannon";
import { renderers } from "../renderers";
import { importContent } from "../src/catalogue/content";
import { findLiveProduct } from "../src/catalogue/products";
import { readContentDir } from "../src/cli/content-files";
import { auditCatalogue, auditScope, auditSubject } from "../src/consistency/audit";
import { openSqlite, type SqliteDatabase } from "../src/node/sqlite";
import { generatedBundle, generatedProduct } from "./catalogue";

const ROOT = join(import.meta.dirname, "..");
const BASE = "http://127.0.0.1:8787";

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** N generated products plus the demo store's action catalogue (so every product offers its actions). */
export async function seededWithActions(count: number, file = ":memory:"): Promise<SqliteDatabase> {
  const db = openSqlite(file);
  const demo = await readContentDir(join(ROOT, "content"));
  const now = new Date();
  const first = generatedBundle(0);
  const base = await importContent(db, { ...first, actions: demo.actions }, { keyId: null, now });
  if (base.problems.length) throw new Error(JSON.stringify(base.problems.slice(0, 3)));
  for (let offset = 0; offset < count; offset += 10_000) {
    const report = await importContent(db, generatedBundle(Math.min(10_000, count - offset), offset), { keyId: null, now });
    if (report.problems.length) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
  }
  return db;
}

type Load = (url: string, seconds: number) => Promise<{ rps: number; p99: number; errors: number }>;

export const load: Load = async (url, seconds) => {
  const result = await autocannon({ url, connections: 10, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
};

/** 5. Rendered endpoints per channel as ratios to the delivery JSON endpoint, measured interleaved on one server. */
export async function benchRenderHttp(port: number, slug: string, seconds: number, summary: Record<string, unknown>) {
  const base = `http://127.0.0.1:${port}`;
  const targets: [string, string][] = [
    ["delivery", `/v1/products/${slug}`],
    ["web", `/v1/render/web/products/${slug}`],
    ["mobile", `/v1/render/mobile/products/${slug}`],
    ["sms", `/v1/render/sms/products/${slug}`],
    ["chat (whatsapp)", `/v1/render/chat/products/${slug}?format=whatsapp`],
  ];
  for (const [, path] of targets) await load(`${base}${path}`, 1); // warm: JIT and the render cache
  // Paired rounds and the median of per-round ratios (the machine's speed drifts within a minute).
  const rounds = seconds < 3 ? 3 : 5;
  const perRound: Map<string, { rps: number; p99: number; errors: number }>[] = [];
  for (let round = 0; round < rounds; round++) {
    const results = new Map<string, { rps: number; p99: number; errors: number }>();
    for (const [name, path] of targets) results.set(name, await load(`${base}${path}`, seconds));
    perRound.push(results);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `\n5. Rendered GET /v1/render/{channel}/products/{slug} (cached) vs the delivery JSON, autocannon 10 connections, ${rounds} paired rounds × ${seconds} s (medians)`,
  );
  const out: Record<string, unknown> = {};
  for (const [name] of targets) {
    const rps = median(perRound.map((r) => r.get(name)!.rps));
    const p99 = median(perRound.map((r) => r.get(name)!.p99));
    const errors = perRound.reduce((n, r) => n + r.get(name)!.errors, 0);
    const ratios = perRound.map((r) => r.get(name)!.rps / r.get("delivery")!.rps);
    const ratio = median(ratios);
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    console.log(
      `   ${name.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s  p99 ${p99} ms  errors ${errors}${name === "delivery" ? "" : `  ratio ${ratio.toFixed(2)} (rounds ${range}; goal ≥ 0.8)`}`,
    );
    out[name] = { rps: Math.round(rps), p99, ratio: Number(ratio.toFixed(3)) };
  }
  summary.render = out;
}

/** 6. What the publish gate costs for one product: a cold render and parity check on every channel, format and locale. */
export async function benchPublish(quick: boolean, summary: Record<string, unknown>) {
  const db = await seededWithActions(1000);
  const scope = await auditScope(db, BASE);
  const slug = generatedProduct(501).slug;
  const live = await findLiveProduct(db, slug);
  const env = { registry: renderers, baseUrl: BASE, now: new Date() };
  const n = quick ? 200 : 1000;
  const times: number[] = [];
  let renders = 0;
  for (let i = 0; i < n + 50; i++) {
    // A fresh revision number per round: nothing can come from a cache.
    const t0 = performance.now();
    const audit = auditSubject(
      { type: "product", doc: live!.doc, stock: live!.stock, meta: { revision: i, publishedAt: "x" } },
      scope,
      env,
      {
        withRenders: true,
      },
    );
    const t = performance.now() - t0;
    if (i >= 50) times.push(t);
    renders = audit.renders.length;
    if (audit.violations.length) throw new Error(JSON.stringify(audit.violations.slice(0, 3)));
  }
  times.sort((a, b) => a - b);
  const p50 = quantile(times, 0.5);
  const p99 = quantile(times, 0.99);
  console.log(`\n6. Publish check of one product: cold render + parity on ${renders} renders (every channel, format, locale), ${n} rounds`);
  console.log(`   p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (goal p99 < 25 ms)`);
  summary.publish = { renders, p50: Number(p50.toFixed(2)), p99: Number(p99.toFixed(2)) };
  db.close();
}

/** 7. The full audit of a generated catalogue, cold (no cache), on this one process. */
export async function benchAudit(quick: boolean, summary: Record<string, unknown>) {
  const count = quick ? 2_000 : 10_000;
  const db = await seededWithActions(count);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await auditCatalogue(db, { registry: renderers, baseUrl: BASE, now: new Date() });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const rate = report.summary.renders / seconds;
  console.log(`\n7. Full audit of ${count.toLocaleString("en")} generated products on every channel, format and both locales (cold)`);
  console.log(
    `   ${report.summary.renders.toLocaleString("en")} renders in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} renders/s (goal ≥ 5,000), CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, violations ${report.summary.violations}`,
  );
  console.log(`   peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (+${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB during the audit)`);
  summary.audit = {
    products: count,
    renders: report.summary.renders,
    seconds: Number(seconds.toFixed(2)),
    rendersPerSecond: Math.round(rate),
    violations: report.summary.violations,
    peakRssMiB: Math.round(peak / 2 ** 20),
    growthMiB: Math.round((peak - rssBefore) / 2 ** 20),
  };
  db.close();
}
