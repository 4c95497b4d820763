/**
 * A real browser for tests: Debian's Chromium driven by playwright-core
 * (no downloaded browser), headless, with everything that would reach the
 * network on its own turned off. Each test opens its own context (cookies,
 * JavaScript on or off) and the browser is closed once.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where screenshots go (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL("../../test-artifacts", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS_DIR}/${name}.png`, fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page and returns the serious and critical violations.
 * The page's CSP forbids scripts, so the context must be opened with `bypassCSP: true`.
 */
export async function seriousViolations(page: Page, options: { iframes?: boolean } = {}): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async (runOptions) => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run(document, runOptions);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  }, options);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
