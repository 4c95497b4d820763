/**
 * The agent channel under the parity audit: `/v1/consistency?channel=agent`
 * reports it, the studio-facing preview renders it, and a broken agent
 * renderer (it drops the price) is refused by the publish gate.
 */
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { agentRenderer } from "../../renderers/agent";
import { importContent } from "../../src/catalogue/content";
import type { Renderer } from "../../src/channels/contract";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, type TestApp } from "../helpers/app";
import { CONTENT_DIR } from "../helpers/demo";

async function demoApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = await createTestApp(options);
  const report = await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
  expect(report.problems).toEqual([]);
  return t;
}

/** The agent renderer with every price taken out of its body; its manifest still claims every fact. */
const dropsThePrice: Renderer = {
  ...agentRenderer,
  render: (view, options) => {
    const out = agentRenderer.render(view, options);
    const price = view.kind === "product" ? view.price : null;
    return price ? { ...out, body: out.body.replaceAll(price, "") } : out;
  },
};

describe("the agent channel in the audit", () => {
  it("is audited clean on the demo store, alone with ?channel=agent, and previewed with the other channels", async () => {
    const t = await demoApp();
    const reader = await t.auth("catalog:read");
    const report = await expectStatus(await t.request("GET", "/v1/consistency?channel=agent", { headers: reader }), 200);
    expect(report.summary).toMatchObject({ entities: 33 + 13 + 14, renders: (33 + 13) * 2, violations: 0 });
    const preview = await expectStatus(
      await t.request("GET", "/v1/preview/products/merino-crew-sweater", { headers: await t.auth("catalog:write") }),
      200,
    );
    const agent = preview.renders.filter((r: any) => r.channel === "agent");
    expect(agent.map((r: any) => `${r.format}/${r.locale}`).sort()).toEqual(["mcp/en", "mcp/fr"]);
    expect(JSON.parse(agent[0].body).content[0].text).toContain("# Merino crew sweater");
    const rendered = await t.request("GET", "/v1/render/agent/products/merino-crew-sweater?locale=fr");
    expect(rendered.status).toBe(200);
    expect(JSON.parse(await rendered.text()).content[0].text).toContain("89,00");
  });

  it("a broken agent renderer that drops the price fails the audit and the publish gate, naming agent, the locale and fact_missing", async () => {
    const t = await demoApp({ renderers: { ...renderers, agent: dropsThePrice } });
    const reader = await t.auth("catalog:read");
    const report = await expectStatus(await t.request("GET", "/v1/consistency?channel=agent&rule=fact_missing", { headers: reader }), 200);
    expect(report.summary.violations).toBeGreaterThan(0);
    expect(Object.keys(report.summary.byChannel)).toEqual(["agent"]);

    const editor = await t.auth("catalog:write", "catalog:publish");
    const entry = await expectStatus(await t.request("GET", "/v1/admin/products/ribbed-beanie", { headers: editor }), 200);
    const refused = await expectStatus(
      await t.request("POST", "/v1/admin/products/ribbed-beanie/publish", { headers: { ...editor, "if-match": `"v${entry.version}"` } }),
      422,
    );
    expect(refused.code).toBe("parity_failed");
    expect([...new Set(refused.violations.map((v: any) => `${v.channel}/${v.locale}/${v.rule}`))].sort()).toEqual([
      "agent/en/fact_missing",
      "agent/fr/fact_missing",
    ]);
    const after = await expectStatus(await t.request("GET", "/v1/admin/products/ribbed-beanie", { headers: editor }), 200);
    expect(after.version).toBe(entry.version);
  });
});
