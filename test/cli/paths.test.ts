import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, unison, unisonOnTty } from "../helpers/cli";

const tmp = () => mkdtemp(join(tmpdir(), "unison-paths-"));

describe("the CLI refuses what is not a content directory (exit 2, saying what it expected)", () => {
  it("import: a folder that does not exist, an empty folder, a single file", async () => {
    const dir = await tmp();
    const db = join(dir, "u.db");
    const missing = unison(["import", join(dir, "nope"), "--db", db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the folder ${join(dir, "nope")} does not exist`);
    expect(missing.stderr).toContain("expected a content directory: locales.json, delivery.json, products/*.json");
    expect(missing.stdout).not.toMatch(/created/);
    await mkdir(join(dir, "empty"));
    const empty = unison(["import", join(dir, "empty"), "--db", db]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("holds no content; expected a content directory");
    const file = unison(["import", join(ROOT, "content/locales.json"), "--db", db]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("is a file, not a folder");
  }, 90_000);

  it("check: a folder that does not exist is named as such, not as a missing locale", async () => {
    const dir = await tmp();
    const out = unison(["check", join(dir, "nope")]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`the folder ${join(dir, "nope")} does not exist`);
    expect(out.stderr).not.toMatch(/No locales/);
  }, 90_000);

  it("a failed import on invalid JSON says nothing was imported", async () => {
    const dir = await tmp();
    const content = join(dir, "content");
    await cp(join(ROOT, "content"), content, { recursive: true });
    await writeFile(join(content, "messages/faq_sizing.json"), "{ not json");
    const out = unison(["import", content, "--db", join(dir, "u.db")]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/messages\/faq_sizing\.json: invalid JSON[^\n]*\n1 problem\(s\); nothing was imported\.\n$/);
  }, 90_000);
});

describe("export never overwrites a folder's files without --force", () => {
  it("refuses a non-empty folder (exit 2, file untouched) and writes with --force", async () => {
    const dir = await tmp();
    const db = join(dir, "u.db");
    expect(unison(["import", join(ROOT, "content"), "--db", db]).code).toBe(0);
    const out = join(dir, "repo");
    await mkdir(join(out, "products"), { recursive: true });
    await writeFile(join(out, "products/merino-crew-sweater.json"), "my unsaved work");
    const refused = unison(["export", out, "--db", db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not empty; export into an empty folder, or pass --force");
    expect(await readFile(join(out, "products/merino-crew-sweater.json"), "utf8")).toBe("my unsaved work");
    const forced = unison(["export", out, "--force", "--db", db]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(out, "products/merino-crew-sweater.json"), "utf8")).toBe(
      await readFile(join(ROOT, "content/products/merino-crew-sweater.json"), "utf8"),
    );
  }, 90_000);
});

describe("progress: a bar on a terminal, plain lines in a log when asked, nothing otherwise", () => {
  it("check draws a bar when stderr is a terminal", () => {
    const out = unisonOnTty(["check", "content", "--channel", "sms"]);
    expect(out.code).toBe(0);
    expect(out.output).toMatch(/checked products \[[█░]+\] 33\/33/);
    expect(out.output).toContain("0 violation(s)");
  }, 120_000);

  it("import and check print plain lines with --progress when stderr is not a terminal, and nothing without it", async () => {
    const dir = await tmp();
    const imported = unison(["import", "content", "--progress", "--db", join(dir, "u.db")]);
    expect(imported.stderr).toMatch(/^imported \d+\/\d+$/m);
    const checked = unison(["check", "content", "--channel", "sms", "--progress"]);
    expect(checked.stderr).toMatch(/^checked products 33\/33$/m);
    expect(checked.stderr).not.toContain("\u001b[");
    const quiet = unison(["check", "content", "--channel", "sms"]);
    expect(quiet.stderr).toBe("");
  }, 120_000);
});

describe("content/README.md: promo codes appear literally in body and short in every locale", () => {
  it("import and check refuse a message whose English short form lost its code, naming file and pointer", async () => {
    const dir = await tmp();
    const content = join(dir, "content");
    await cp(join(ROOT, "content"), content, { recursive: true });
    const file = join(content, "messages/winter_sale.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    doc.short.en = "20% off knitwear until 6 Jan";
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
    const message = "messages/winter_sale.json:/short/en: The promo code WINTER20 (in facts.codes) must appear literally in short (en).";
    const imported = unison(["import", content, "--db", join(dir, "u.db")]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(message);
    expect(imported.stderr).toContain("nothing was imported");
    const checked = unison(["check", content]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(message);
  }, 120_000);
});
