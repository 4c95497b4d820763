/**
 * `npm run reliability`: after the default reporter, one table of the figures the suite printed —
 * every test in test/reliability/ logs one line `reliability: <promise> | <what was done> | <figure>`.
 * Also prints the suite's wall time.
 */
import type { UserConsoleLog } from "vitest";
import type { Reporter, TestModule } from "vitest/node";

export default class FiguresReporter implements Reporter {
  private lines: string[] = [];
  private started = Date.now();

  onTestRunStart() {
    this.started = Date.now();
  }

  onUserConsoleLog(log: UserConsoleLog) {
    for (const line of log.content.split("\n")) if (line.startsWith("reliability: ")) this.lines.push(line.slice("reliability: ".length));
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const failed = modules.filter((m) => m.state() === "failed").map((m) => m.moduleId);
    const out = ["", "Reliability figures", "==================="];
    for (const line of this.lines.sort()) {
      const [promise = "", ...rest] = line.split(" | ");
      out.push(`- ${promise}`, ...rest.map((r) => `    ${r}`));
    }
    out.push(
      `Wall time ${((Date.now() - this.started) / 1000).toFixed(0)} s; ${failed.length ? `FAILED: ${failed.join(", ")}` : "all promises held"}.`,
    );
    process.stdout.write(`${out.join("\n")}\n`);
  }
}
