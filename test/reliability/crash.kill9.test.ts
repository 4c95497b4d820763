/**
 * docs/reliability.md (crash durability): acknowledged writes survive a crash. The real server process — built and started
 * with the command `npm start` runs (package.json `start`, on dist/node.js) — serves one SQLite
 * file seeded with the demo catalogue. Each round it takes mixed concurrent writes (new products,
 * If-Match stock updates, idempotent add-to-cart actions, new API keys) and is killed with SIGKILL
 * at a random moment. Then the file must pass `PRAGMA integrity_check`, every write the server
 * acknowledged must be in it, and the next round restarts the server on the same file.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { productDoc } from "../helpers/db";

const ROOT = join(import.meta.dirname, "../..");
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);

let dir = "";
let child: ChildProcess | undefined;

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  dir = await mkdtemp(join(tmpdir(), "unison-kill-"));
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** `npm start`'s command (after its `prestart` build), run directly so SIGKILL reaches the server itself, not npm. */
function startCommand(): string[] {
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
  const [node, ...args] = scripts.start!.split(/\s+/);
  expect(node).toBe("node");
  return args;
}

function start(dbPath: string): Promise<{ child: ChildProcess; url: string; output: string }> {
  const server = spawn(process.execPath, startCommand(), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: dbPath,
      DEMO_JOURNEYS: "false",
      LOG_REQUESTS: "false",
      RATE_LIMIT_PER_MINUTE: "0",
      WEBHOOK_INTERVAL_MS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = server;
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Health\s+(http:\/\/\S+)\/healthz/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child: server, url, output: out });
      }
    };
    server.stdout!.on("data", read);
    server.stderr!.on("data", read);
    server.on("exit", (code, signal) => reject(new Error(`server exited ${code ?? signal}:\n${out}`)));
  });
}

/** Everything the server acknowledged, across rounds. */
const acked = {
  products: [] as string[],
  keys: [] as string[],
  carts: [] as string[],
  /** The last acknowledged inventory version of the SKU every round updates. */
  stockVersion: 0,
  count: 0,
};

it(`after kill -9 during mixed writes (${ROUNDS} rounds, restarting on the same file), every acknowledged write is there and integrity_check is ok`, {
  timeout: 300_000,
}, async () => {
  const dbPath = join(dir, "shop.db");
  // The first start seeds the demo catalogue and prints the admin key; later starts reuse both.
  let adminKey = "";
  let lost = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { child: server, url, output } = await start(dbPath);
    adminKey ||= /unison_sk_[0-9a-f]{48}/.exec(output)?.[0] ?? "";
    expect(adminKey, output).not.toBe("");
    const headers = { authorization: `Bearer ${adminKey}`, "content-type": "application/json" };
    const sku = "MER-CRE-SWE-M-NAVY";
    let stop = false;
    const guard = async (work: () => Promise<void>) => {
      while (!stop) {
        try {
          await work();
        } catch {
          return; // the server is gone
        }
      }
    };
    let n = 0;
    const writers = [
      ...[0, 1, 2, 3].map((w) =>
        guard(async () => {
          const slug = `r${round}-w${w}-p${n++}`;
          const res = await fetch(`${url}/v1/admin/products`, { method: "POST", headers, body: JSON.stringify(productDoc(slug)) });
          if (res.status === 201) acked.products.push(slug);
        }),
      ),
      guard(async () => {
        const current = await fetch(`${url}/v1/admin/inventory/${sku}`, { headers });
        const etag = current.headers.get("etag")!;
        const { stock } = (await current.json()) as { stock: number };
        const res = await fetch(`${url}/v1/admin/inventory/${sku}`, {
          method: "PUT",
          headers: { ...headers, "if-match": etag },
          body: JSON.stringify({ stock: (stock + 1) % 1000 }),
        });
        if (res.status === 200) acked.stockVersion = ((await res.json()) as { version: number }).version;
      }),
      guard(async () => {
        const phone = `+33600${String(round).padStart(2, "0")}${String(n++).padStart(5, "0")}`;
        const res = await fetch(`${url}/v1/actions/add_to_cart`, {
          method: "POST",
          headers: { ...headers, "idempotency-key": `crash-${phone}` },
          body: JSON.stringify({ channel: "sms", identity: { channel: "sms", externalId: phone }, input: { sku, quantity: 1 } }),
        });
        if (res.status === 200) acked.carts.push(phone);
      }),
      guard(async () => {
        const res = await fetch(`${url}/v1/admin/keys`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: `crash ${round} ${n++}`, scopes: ["catalog:read"] }),
        });
        if (res.status === 201) acked.keys.push(((await res.json()) as { key: { id: string } }).key.id);
      }),
    ];
    const countBefore = acked.products.length + acked.keys.length + acked.carts.length;
    // The kill comes at a random moment once writes are being acknowledged.
    const total = () => acked.products.length + acked.keys.length + acked.carts.length;
    for (let waited = 0; total() === countBefore && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
    server.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
    if (server.exitCode === null && server.signalCode === null) await once(server, "exit");
    expect(server.signalCode).toBe("SIGKILL");
    expect(total(), `round ${round} acknowledged writes`).toBeGreaterThan(countBefore);

    const db = new BetterSqlite3(dbPath);
    try {
      expect(db.pragma("integrity_check", { simple: true }), `round ${round}`).toBe("ok");
      const has = (query: string, values: string[]) => {
        const stored = new Set((db.prepare(query).all() as { v: string }[]).map((r) => r.v));
        return values.filter((v) => !stored.has(v));
      };
      const missing = [
        ...has("SELECT key AS v FROM entries", acked.products),
        ...has("SELECT id AS v FROM api_keys", acked.keys),
        ...has(
          `SELECT d.external_id AS v FROM cart_lines l JOIN carts c ON c.id = l.cart_id
           JOIN identities d ON d.customer_id = c.customer_id WHERE d.channel = 'sms'`,
          acked.carts,
        ),
      ];
      const version = (db.prepare("SELECT version FROM inventory WHERE sku = ?").get(sku) as { version: number }).version;
      if (version < acked.stockVersion) missing.push(`inventory ${sku} v${acked.stockVersion} (found v${version})`);
      lost += missing.length;
      expect(missing, `round ${round}: acknowledged but lost`).toEqual([]);
    } finally {
      db.close();
    }
  }
  acked.count = acked.products.length + acked.keys.length + acked.carts.length + (acked.stockVersion > 1 ? acked.stockVersion - 1 : 0);
  console.log(
    `reliability: crash durability | ${ROUNDS} rounds of kill -9 during mixed writes | ${acked.count} writes acknowledged (${acked.products.length} products, ${acked.keys.length} keys, ${acked.carts.length} cart adds, ${Math.max(0, acked.stockVersion - 1)} stock updates), ${lost} lost; integrity_check ok ${ROUNDS}/${ROUNDS}`,
  );
});
