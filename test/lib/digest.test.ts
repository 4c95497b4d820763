/**
 * SHA-256 (src/lib/digest.ts): short texts hashed by @noble/hashes, long ones by Web Crypto, the same digest either
 * way — checked against node:crypto, the oracle, on both sides of the cut and across multi-byte characters.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHORT, sha256, sha256Hex } from "../../src/lib/digest";
import { authenticate, createApiKey } from "../../src/lib/keys";
import { openSqlite } from "../../src/node/sqlite";

const oracle = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("sha256", () => {
  it("matches node:crypto on texts short and long, ASCII and not", async () => {
    const texts = [
      "",
      "abc",
      "unison_sk_198ea7f39811082ade6563efd6840a9ef765eaffdead650f",
      "sms\nSM0123456789abcdef0123456789abcdef\ninbound",
      "Écharpe en laine — 25,00 € 🧣",
      "x".repeat(SHORT - 1),
      "x".repeat(SHORT),
      "x".repeat(SHORT + 1),
      // 342 three-byte characters: 1,026 bytes from 342 UTF-16 units, hashed by Web Crypto though its length is short.
      "€".repeat(342),
      `${"x".repeat(SHORT - 2)}é`,
      "y".repeat(256 * 1024),
    ];
    for (const text of texts) {
      expect(await sha256Hex(text), `${text.length} characters`).toBe(oracle(text));
      expect(Buffer.from(await sha256(text)).toString("hex")).toBe(oracle(text));
    }
  });

  it("an API key is stored as the SHA-256 of its secret, and only that secret authenticates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unison-digest-"));
    const db = openSqlite(join(dir, "keys.db"));
    try {
      const { key, secret } = await createApiKey(db, { name: "digest", scopes: ["catalog:read"] }, new Date("2026-12-07T00:00:00Z"));
      const stored = db.client.prepare("SELECT hash FROM api_keys WHERE id = ?").pluck().get(key.id);
      expect(stored).toBe(oracle(secret));
      expect(await authenticate(db, secret)).toMatchObject({ keyId: key.id, scopes: ["catalog:read"] });
      const other = `${secret.slice(0, -1)}${secret.endsWith("0") ? "1" : "0"}`;
      expect(await authenticate(db, other)).toBeNull();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
