/** Runs the `unison` CLI as a child process, the way an editor or CI runs it. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/unison.mjs");
const env = { ...process.env, PUBLIC_BASE_URL: "https://shop.example" };

export function unison(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 90_000, env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI with stdout and stderr on a pseudo-terminal (util-linux `script`), as at a terminal. */
export function unisonOnTty(args: string[]) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: ROOT, encoding: "utf8", timeout: 90_000, env });
  return { code: result.status, output: result.stdout };
}
