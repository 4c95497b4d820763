import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/unison.mjs");

function unison(args: string[], cwd?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: cwd ?? ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the unison CLI", () => {
  it("imports, re-imports idempotently and exports byte for byte, from any directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-cli-"));
    const db = join(dir, "u.db");
    const first = unison(["import", join(ROOT, "content"), "--db", db], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/products\s+created 33, updated 0, unchanged 0/);
    expect(first.stdout).toMatch(/delivery\s+created 3, updated 0, unchanged 0, removed 0/);
    const second = unison(["import", join(ROOT, "content"), "--db", db], dir);
    expect(second.stdout).toMatch(/products\s+created 0, updated 0, unchanged 33/);
    const out = join(dir, "export");
    expect(unison(["export", out, "--db", db]).code).toBe(0);
    const name = "products/merino-crew-sweater.json";
    expect(await readFile(join(out, name), "utf8")).toBe(await readFile(join(ROOT, "content", name), "utf8"));
  }, 90_000);

  it("reports each problem as file:pointer, exits 1 and writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-cli-"));
    const content = join(dir, "content");
    await cp(join(ROOT, "content"), content, { recursive: true });
    const file = join(content, "products/ribbed-beanie.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    doc.variants[0].prices.EUR = "cheap";
    await writeFile(file, JSON.stringify(doc));
    await writeFile(join(content, "messages/faq_sizing.json"), "{ not json");
    const syntax = unison(["import", content, "--db", join(dir, "u.db")]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/messages\/faq_sizing\.json: invalid JSON at line 1, column 3/);
    await cp(join(ROOT, "content/messages/faq_sizing.json"), join(content, "messages/faq_sizing.json"));
    const invalid = unison(["import", content, "--db", join(dir, "u.db")]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("products/ribbed-beanie.json:/variants/0/prices/EUR:");
    expect(invalid.stderr).toContain("nothing was imported");
    const keys = unison(["export", join(dir, "out"), "--db", join(dir, "u.db")]);
    expect(keys.stdout).toMatch(/wrote 1 file/);
  }, 90_000);

  it("keys create prints the key once; list shows only its start; revoke marks it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-cli-"));
    const db = join(dir, "u.db");
    const created = unison(["keys", "create", "--name", "ci", "--scope", "catalog:read", "--scope", "catalog:write", "--db", db]);
    expect(created.code, created.stderr).toBe(0);
    const secret = /unison_sk_[0-9a-f]{48}/.exec(created.stdout)?.[0];
    const id = /^(key_\w+)/.exec(created.stdout)?.[1];
    expect(secret && id).toBeTruthy();
    const list = unison(["keys", "list", "--db", db]);
    expect(list.stdout).toContain(id!);
    expect(list.stdout).not.toContain(secret!);
    expect(unison(["keys", "revoke", id!, "--db", db]).stdout).toMatch(/revoked/);
    expect(unison(["keys", "list", "--db", db]).stdout).toMatch(/revoked \d{4}-/);
    expect(unison(["keys", "revoke", "key_nope", "--db", db]).code).toBe(1);
  }, 90_000);

  it("usage errors exit 2 with help", () => {
    expect(unison(["frobnicate"]).code).toBe(2);
    expect(unison(["keys", "create", "--name", "x"]).code).toBe(2);
    expect(unison(["keys", "create", "--name", "x", "--scope", "root"]).stderr).toMatch(/unknown scope/);
    expect(unison([]).code).toBe(2);
    expect(unison(["--help"]).code).toBe(0);
  }, 90_000);
});

describe("keys for databases the CLI cannot reach", () => {
  it("keys create --sql prints an INSERT with only the hash, which a D1-style execute accepts and the key then authenticates", async () => {
    const result = unison(["keys", "create", "--name", "deploy", "--scope", "admin", "--sql"]);
    expect(result.code, result.stderr).toBe(0);
    const secret = /unison_sk_[0-9a-f]{48}/.exec(result.stdout)![0];
    const insert = result.stdout.split("\n")[0]!;
    expect(insert).toMatch(/^INSERT INTO api_keys/);
    expect(insert).not.toContain(secret);
    const { openSqlite } = await import("../../src/node/sqlite");
    const { authenticate } = await import("../../src/lib/keys");
    const db = openSqlite(":memory:");
    db.client.exec(insert);
    expect(await authenticate(db, secret)).toMatchObject({ name: "deploy", scopes: ["admin"] });
  });
});
