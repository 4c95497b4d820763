/**
 * Sums up what the test suite validated against /openapi.json (test/helpers/contract.ts):
 *
 *   CONTRACT_COVERAGE_DIR=/tmp/contract npx vitest run && npx tsx scripts/contract-coverage.ts /tmp/contract
 *
 * Prints the distinct operations × statuses validated, and the operations without a validated
 * success response or without a validated error response.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { platforms, renderers } from "../renderers";
import { createApp } from "../src/app";
import { parseConfig } from "../src/env";
import { openSqlite } from "../src/node/sqlite";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: tsx scripts/contract-coverage.ts <CONTRACT_COVERAGE_DIR>");
  process.exit(2);
}
const seen = new Set<string>();
for (const file of readdirSync(dir)) for (const line of readFileSync(join(dir, file), "utf8").split("\n")) if (line) seen.add(line);

const db = openSqlite(":memory:");
const app = createApp({ renderers, platforms, resolveDb: () => db, config: parseConfig({ LOG_REQUESTS: "false" }), log: () => {} });
const spec = (await (await app.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
const ids = Object.values(spec.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
const statusesOf = (id: string) => [...seen].filter((s) => s.startsWith(`${id} `)).map((s) => Number(s.split(" ")[1]));
const noSuccess = ids.filter((id) => !statusesOf(id).some((s) => s < 400));
const noError = ids.filter((id) => !statusesOf(id).some((s) => s >= 400));
console.log(
  `${seen.size} distinct operation × status pairs validated, over ${ids.length - ids.filter((id) => !statusesOf(id).length).length} of ${ids.length} operations`,
);
console.log(`operations without a validated success response (${noSuccess.length}): ${noSuccess.join(", ") || "none"}`);
console.log(`operations without a validated error response (${noError.length}): ${noError.join(", ") || "none"}`);
