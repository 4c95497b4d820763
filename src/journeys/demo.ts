/**
 * Demo journeys: synthetic customers moving between channels over the last
 * weeks — browsing on chat, adding by SMS, handing off to the web, checking out,
 * rating, answering the NPS question, asking an agent — run through the real action path (`invokeAction`),
 * so insights and timelines are meaningful out of the box. Deterministic for a
 * given seed and clock.
 */
import { sql } from "drizzle-orm";
import { fallbackChain, loadLocales } from "../catalogue/locales";
import type { ViewContext } from "../catalogue/products";
import type { Registry } from "../consistency/engine";
import type { Database } from "../db/client";
import type { JourneyChannel } from "../db/schema";
import { invokeAction } from "./invoke";

const DAY = 24 * 60 * 60 * 1000;

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function externalId(channel: JourneyChannel, n: number): string {
  switch (channel) {
    case "sms":
      return `+4790${String(100000 + n).slice(-6)}`;
    case "whatsapp":
      return `4791${String(100000 + n).slice(-6)}`;
    case "slack":
      return `U0DEMO${n}`;
    case "telegram":
      return String(700000000 + n);
    case "messenger":
      return `psid-demo-${n}`;
    case "web":
      return `web-session-demo-${n}`;
    default:
      return `device-demo-${n}`;
  }
}

/**
 * @example
 * const report = await generateDemoJourneys(db, { customers: 40, now: new Date(), baseUrl });
 */
export async function generateDemoJourneys(
  db: Database,
  options: { customers: number; now: Date; baseUrl: string; seed?: number; registry: Registry },
): Promise<{ customers: number; actions: number; refused: number }> {
  const rand = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)] as T;
  const locales = await loadLocales(db);
  const view: ViewContext = {
    locales,
    locale: locales.default.code,
    chain: fallbackChain(locales, locales.default.code),
    baseUrl: options.baseUrl,
  };
  // Demo shoppers buy what is in stock.
  const skus = (await db.orm.all(sql`SELECT sku FROM inventory WHERE listed = 1 AND stock > 2 ORDER BY sku`)) as { sku: string }[];
  if (!skus.length) return { customers: 0, actions: 0, refused: 0 };
  const firstChannels: JourneyChannel[] = ["sms", "whatsapp", "whatsapp", "telegram", "messenger", "slack", "web", "web", "mobile"];
  let actions = 0;
  let refused = 0;
  let n = 0;
  for (let c = 0; c < options.customers; c++) {
    let at = options.now.getTime() - (1 + rand() * 28) * DAY;
    const first = pick(firstChannels);
    let who: { channel: JourneyChannel; identity?: { channel: JourneyChannel; externalId: string }; customer?: string } = {
      channel: first,
      identity: { channel: first, externalId: externalId(first, c) },
    };
    const step = async (key: string, input: Record<string, unknown> = {}) => {
      at += (5 + rand() * 120) * 60 * 1000;
      const outcome = await invokeAction(db, {
        registry: options.registry,
        key,
        request: { ...who, input } as never,
        idempotencyKey: `demo:${options.seed ?? 42}:${c}:${++n}`,
        apiKeyId: "demo",
        requestId: undefined,
        view,
        now: new Date(Math.min(at, options.now.getTime())),
      });
      actions++;
      if (outcome.status >= 400) refused++;
      return JSON.parse(outcome.body) as { customer?: string; result?: { order?: { number?: string } } };
    };
    const sku = pick(skus).sku;
    const added = await step("add_to_cart", { sku, quantity: 1 + Math.floor(rand() * 2) });
    if (!added.customer) continue;
    if (rand() < 0.3) await step("add_to_cart", { sku: pick(skus).sku, quantity: 1 });
    if (rand() < 0.55 && first !== "web") {
      await step("handoff", { to: "web" });
      who = { channel: rand() < 0.8 ? "web" : "mobile", customer: added.customer };
    }
    if (rand() < 0.65) {
      const placed = await step("checkout");
      const number = placed.result?.order?.number;
      if (number && rand() < 0.5) {
        who = { channel: pick(["whatsapp", "sms", "web"] as const), customer: added.customer };
        await step("order_status", { orderNumber: number });
      }
      if (rand() < 0.7)
        await step("rate_experience", { score: pick([5, 5, 5, 4, 4, 4, 3, 2, 1]), ...(number ? { orderNumber: number } : {}) });
      if (rand() < 0.6) await step("recommend", { likelihood: pick([10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3]) });
    } else if (rand() < 0.4) {
      await step("contact_agent", { message: pick(["Does this run small?", "When will it ship?", "Can I pick it up in the shop?"]) });
    }
  }
  return { customers: options.customers, actions, refused };
}
