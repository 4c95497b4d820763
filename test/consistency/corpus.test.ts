/**
 * The adversarial corpus (./corpus.ts) through every door an editor or a CI
 * job uses: preview, publish (the gate), GET /v1/consistency after a forced
 * publish, and `unison check` on a content directory. Every inconsistent case
 * is refused by each with its expected rule; every consistent case passes
 * them all. The catch rate and the false-refusal rate are printed.
 */
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus } from "../helpers/app";
import { CONTENT_DIR } from "../helpers/demo";
import { type Case, corpus } from "./corpus";

const ROOT = join(import.meta.dirname, "../..");
const PLURAL = { product: "products", message: "messages", action: "actions" } as const;
const keyOf = (c: Case) => (c.type === "product" ? c.doc.slug : c.doc.key) as string;

describe("the adversarial corpus", () => {
  const cases = corpus();
  const bad = cases.filter((c) => c.rule);
  const good = cases.filter((c) => !c.rule);

  it("has at least 60 inconsistent and 30 consistent cases, covering every class of the issue", () => {
    expect(bad.length).toBeGreaterThanOrEqual(60);
    expect(good.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.class))).toEqual(new Set(["1", "2", "3", "4", "5", "6", "7"]));
    expect(new Set(cases.map(keyOf)).size).toBe(cases.length);
  });

  it("refuses every inconsistent case and passes every consistent one in preview, publish, /v1/consistency and unison check", async () => {
    const t = await createTestApp();
    const demo = await readContentDir(CONTENT_DIR);
    expect((await importContent(t.db, demo, { keyId: null, now: t.now })).problems).toEqual([]);
    const files = (type: Case["type"]) =>
      cases.filter((c) => c.type === type).map((c) => ({ path: `${PLURAL[type]}/${keyOf(c)}.json`, data: c.doc }));
    const drafts = { locales: null, products: files("product"), messages: files("message"), actions: files("action") };
    expect((await importContent(t.db, drafts, { keyId: null, now: t.now }, { publish: false })).problems).toEqual([]);
    const editor = await t.auth("catalog:write", "catalog:publish");

    /** Per case and door: the rules it was refused with (empty: it passed). */
    const seen = new Map<Case, Record<string, string[]>>();
    const record = (c: Case, door: string, rules: string[]) => {
      const entry = seen.get(c) ?? {};
      entry[door] = [...new Set(rules)];
      seen.set(c, entry);
    };
    // Actions first: a consistent new action is part of the catalogue every product is then checked against.
    const ordered = [...cases.filter((c) => c.type === "action"), ...cases.filter((c) => c.type !== "action")];
    for (const c of ordered) {
      const path = `/v1/admin/${PLURAL[c.type]}/${keyOf(c)}`;
      if (c.type !== "action") {
        const preview = await expectStatus(await t.request("GET", `/v1/preview/${PLURAL[c.type]}/${keyOf(c)}`, { headers: editor }), 200);
        record(
          c,
          "preview",
          preview.verdict.violations.map((v: any) => v.rule),
        );
      }
      const entry = await expectStatus(await t.request("GET", path, { headers: editor }), 200);
      const headers = { ...editor, "if-match": `"v${entry.version}"` };
      const res = await t.request("POST", `${path}/publish`, { headers });
      const body = (await res.json()) as any;
      record(c, "publish", res.status === 422 ? body.violations.map((v: any) => v.rule) : []);
      if (res.status !== 200) {
        expect(res.status, JSON.stringify(body)).toBe(422);
        await expectStatus(await t.request("POST", `${path}/publish`, { headers, body: { force: { reason: "corpus" } } }), 200);
      }
    }

    const report = await expectStatus(await t.request("GET", "/v1/consistency", { headers: await t.auth("catalog:read") }), 200);
    const rulesOf = (entities: any[], c: Case) =>
      entities.filter((e) => e.entity.type === c.type && e.entity.key === keyOf(c)).flatMap((e) => e.violations.map((v: any) => v.rule));
    for (const c of cases) record(c, "consistency", rulesOf(report.entities, c));

    // unison check on a content directory: the demo store and every case as files.
    const dir = await mkdtemp(join(tmpdir(), "unison-corpus-"));
    try {
      await cp(CONTENT_DIR, join(dir, "content"), { recursive: true });
      for (const c of cases) {
        await writeFile(join(dir, "content", PLURAL[c.type], `${keyOf(c)}.json`), `${JSON.stringify(c.doc, null, 2)}\n`);
      }
      const out = spawnSync(process.execPath, [join(ROOT, "bin/unison.mjs"), "check", join(dir, "content"), "--format", "json"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 240_000,
        env: { ...process.env, PUBLIC_BASE_URL: "https://shop.example" },
      });
      expect(out.status, out.stderr).toBe(1);
      const checked = JSON.parse(out.stdout);
      for (const c of cases) record(c, "check", rulesOf(checked.entities, c));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const doors = (c: Case) => (c.type === "action" ? ["publish", "consistency", "check"] : ["preview", "publish", "consistency", "check"]);
    const caught = bad.filter((c) => doors(c).every((d) => seen.get(c)?.[d]?.includes(c.rule!)));
    const refused = good.filter((c) => doors(c).some((d) => seen.get(c)?.[d]?.length));
    console.log(
      `corpus: catch rate ${caught.length}/${bad.length} (${((100 * caught.length) / bad.length).toFixed(1)}%), ` +
        `false refusals ${refused.length}/${good.length} (${((100 * refused.length) / good.length).toFixed(1)}%)`,
    );
    const missed = bad.filter((c) => !caught.includes(c)).map((c) => ({ id: c.id, expected: c.rule, seen: seen.get(c) }));
    const wrong = refused.map((c) => ({ id: c.id, seen: seen.get(c) }));
    expect(missed).toEqual([]);
    expect(wrong).toEqual([]);
  }, 600_000);
});
