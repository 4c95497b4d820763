/**
 * docs/architecture.md, "Durability": acknowledged writes survive a crash. A real server process on a
 * real SQLite file takes concurrent writes and is killed with SIGKILL at a
 * random moment; every write it acknowledged (201) must be there afterwards and
 * the file must pass `PRAGMA integrity_check`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { productDoc } from "../helpers/db";

const ROOT = join(import.meta.dirname, "../..");

function start(dbPath: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/node.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      DATABASE_PATH: dbPath,
      CONTENT_DIR: join(ROOT, "no-such-dir"),
      LOG_REQUESTS: "false",
      RATE_LIMIT_PER_MINUTE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /API\s+(http:\/\/[^/\s]+)/.exec(out)?.[1];
      const key = /unison_sk_[0-9a-f]{48}/.exec(out)?.[0];
      if (url && key) {
        clearTimeout(timer);
        resolve({ child, url, key });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

describe("crash durability", () => {
  it("after kill -9 at a random moment, every acknowledged write is there and integrity_check is ok", async () => {
    for (let round = 0; round < 3; round++) {
      const dbPath = join(await mkdtemp(join(tmpdir(), "unison-kill-")), "u.db");
      const { child, url, key } = await start(dbPath);
      const acknowledged: string[] = [];
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop && i < 400; i++) {
          const slug = `w${w}-p${i}`;
          try {
            const res = await fetch(`${url}/v1/admin/products`, { method: "POST", headers, body: JSON.stringify(productDoc(slug)) });
            if (res.status === 201) acknowledged.push(slug);
          } catch {
            return; // the server is gone
          }
        }
      };
      const writers = Promise.all([0, 1, 2, 3].map(writer));
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
      child.kill("SIGKILL");
      stop = true;
      await writers;
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");

      expect(acknowledged.length, `round ${round}: some writes were acknowledged before the kill`).toBeGreaterThan(0);
      const db = new BetterSqlite3(dbPath);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const stored = new Set((db.prepare("SELECT key FROM entries").all() as { key: string }[]).map((r) => r.key));
      const lost = acknowledged.filter((slug) => !stored.has(slug));
      expect(lost, `round ${round}: acknowledged but lost`).toEqual([]);
      db.close();
    }
  }, 120_000);
});
