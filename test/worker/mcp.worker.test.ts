/**
 * `/mcp` under workerd (src/worker.ts bundled by wrangler) on a real local D1
 * seeded with the demo catalogue: the stateless MCP server answers
 * `tools/list` and `tools/call` on Workers as on Node.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Unstable_DevWorker, unstable_dev } from "wrangler";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createApiKey } from "../../src/lib/keys";
import { type LocalD1, localD1, ROOT } from "../helpers/d1";
import { CONTENT_DIR } from "../helpers/demo";

let d1: LocalD1;
let worker: Unstable_DevWorker;
let key: string;

beforeAll(async () => {
  d1 = await localD1();
  const now = new Date();
  const report = await importContent(d1.db, await readContentDir(CONTENT_DIR), { keyId: null, now }, { publish: true });
  expect(report.problems).toEqual([]);
  key = (await createApiKey(d1.db, { name: "agent", scopes: ["actions:invoke"] }, now)).secret;
  worker = await unstable_dev(join(ROOT, "src/worker.ts"), {
    config: join(ROOT, "wrangler.toml"),
    local: true,
    persistTo: d1.dir,
    ip: "127.0.0.1",
    port: 0,
    logLevel: "error",
    experimental: { disableExperimentalWarning: true, testMode: true },
    vars: { PUBLIC_BASE_URL: "https://shop.example", LOG_REQUESTS: "false" },
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await d1?.dispose();
});

async function rpc(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  // Over real HTTP to workerd's port, so the Host header is what a client sends (a loopback address here).
  const res = await fetch(`http://${worker.address}:${worker.port}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { result: any }).result;
}

describe("/mcp on Workers with D1", () => {
  it("lists the reading tools and one tool per enabled action", async () => {
    const { tools } = await rpc("tools/list", {});
    const names = tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["search_products", "get_product", "get_message", "add_to_cart", "view_cart", "checkout"]),
    );
    expect(tools.find((t: { name: string }) => t.name === "add_to_cart").inputSchema.required).toEqual(["sku"]);
  });

  it("calls get_product and add_to_cart through the same code as on Node", async () => {
    const product = await rpc("tools/call", { name: "get_product", arguments: { slug: "merino-crew-sweater" } });
    expect(product.isError).toBeFalsy();
    expect(product.structuredContent).toMatchObject({ slug: "merino-crew-sweater", price: { formatted: "€89.00" } });
    expect(product.content[0].text).toContain("# Merino crew sweater");
    const added = await rpc(
      "tools/call",
      { name: "add_to_cart", arguments: { sku: "MER-CRE-SWE-S-NAVY" }, _meta: { "unison/identity": "worker-agent-1" } },
      { authorization: `Bearer ${key}` },
    );
    expect(added.isError, JSON.stringify(added)).toBeFalsy();
    expect(added.structuredContent.result.cart.lines[0]).toMatchObject({ sku: "MER-CRE-SWE-S-NAVY", quantity: 1 });
  });
});
