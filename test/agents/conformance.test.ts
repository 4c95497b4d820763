/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.13, the
 * newest release that runs on Node 20) against `/mcp` on the server
 * `npm start` runs, for the scenarios that apply to a tools-and-resources
 * server. The others test fixtures a server must define by the suite's names
 * (`test_simple_text`, `test://static-text` …), or capabilities Unison does not
 * offer (prompts, logging, completion, subscriptions, sampling, elicitation,
 * SSE streams — the endpoint is stateless JSON), so they do not apply.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/node";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../node_modules/@modelcontextprotocol/conformance/dist/index.js");

/** The scenarios that apply; each must pass with no failure and no warning. */
export const APPLICABLE = ["server-initialize", "ping", "tools-list", "resources-list", "dns-rebinding-protection"] as const;

let server: { url: string; close(): Promise<void> };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "unison-conformance-"));
  server = await serve({
    port: 0,
    host: "127.0.0.1",
    dbPath: join(dir, "unison.db"),
    env: { LOG_REQUESTS: "false", DEMO_JOURNEYS: "false", WEBHOOK_INTERVAL_MS: "0" },
    print: () => {},
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("MCP conformance suite 0.1.13 against /mcp", () => {
  for (const scenario of APPLICABLE) {
    it(`passes ${scenario}`, async () => {
      const out = await run(process.execPath, [CLI, "server", "--url", `${server.url}/mcp`, "--scenario", scenario], {
        timeout: 60_000,
      }).catch((error: { stdout?: string; stderr?: string; code?: number }) => ({ ...error, failed: true }));
      const stdout = out.stdout ?? "";
      expect("failed" in out, `${stdout}\n${out.stderr ?? ""}`).toBe(false);
      // Every check of the scenario ran and passed: "Passed: 2/2, 0 failed, 0 warnings".
      expect(stdout).toMatch(/Passed: ([1-9]\d*)\/\1, 0 failed, 0 warnings/);
      expect(stdout).not.toMatch(/FAILURE|WARNING/);
    }, 90_000);
  }
});
