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

/** Fills the storefront checkout's address form (English labels) with a valid address. */
export async function fillAddress(page: Page, values: Partial<Record<string, string>> = {}): Promise<void> {
  const address = {
    "Full name": "Ana Silva",
    Email: "ana@example.com",
    "Street and number": "12 rue des Pins",
    Postcode: "75011",
    City: "Paris",
    "Country code": "FR",
    ...values,
  };
  for (const [label, value] of Object.entries(address)) await page.getByLabel(label, { exact: true }).fill(value ?? "");
}

/** The widths the storefront is checked at: a small phone, a common phone, a tablet. */
export const SCREENS = [
  { width: 320, height: 568 },
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
];

/** Elements whose box reaches past the viewport's right edge (or the page scrolls sideways). */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5;
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(" ")[0]}` : ""} ${Math.round(el.getBoundingClientRect().right)}px`,
      );
    if (document.documentElement.scrollWidth > width) wide.push(`page scrolls to ${document.documentElement.scrollWidth}px`);
    return wide;
  });
}
