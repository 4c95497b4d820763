import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, unison } from "../helpers/cli";

describe("unison check: the consistency audit for a content repository's CI", () => {
  it("passes the demo store clean on every channel and locale (exit 0), as text and as JSON", () => {
    const text = unison(["check", "content"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim()).toBe("60 entities, 828 renders checked: 0 violation(s) in 0 entities.");
    const json = unison(["check", "content", "--format", "json", "--channel", "chat"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).summary).toMatchObject({ entities: 60, renders: 460, violations: 0 });
    const agent = unison(["check", "content", "--format", "json", "--channel", "agent"]);
    expect(agent.code, agent.stderr).toBe(0);
    expect(JSON.parse(agent.stdout).summary).toMatchObject({ entities: 60, renders: (33 + 13) * 2, violations: 0, byChannel: {} });
  }, 120_000);

  it("exits 1 and names entity, channel, locale and rule for each violation in a content directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "unison-check-"));
    const content = join(dir, "content");
    await cp(join(ROOT, "content"), content, { recursive: true });
    const file = join(content, "products/merino-crew-sweater.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    doc.title.en = "Merino crew-neck jumper"; // the SMS override was written for the old title: stale
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
    const out = unison(["check", content, "--channel", "sms"]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'product/merino-crew-sweater  sms  en  stale_override: The sms override of title (en) was written for "Merino crew sweater"; the base text has changed since. Confirm or reset it.',
    );
    expect(out.stdout).toMatch(/1 violation\(s\) in 1 entities\.\n$/);
  }, 120_000);

  it("refuses an unknown format or channel as a usage error (exit 2)", () => {
    expect(unison(["check", "content", "--format", "xml"]).code).toBe(2);
    expect(unison(["check", "content", "--channel", "fax"]).code).toBe(2);
  });
});
