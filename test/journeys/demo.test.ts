import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { generateDemoJourneys } from "../../src/journeys/demo";
import { channelInsights } from "../../src/journeys/insights";
import { freshDb } from "../helpers/db";

describe("demo journeys", () => {
  it("fill the demo store with customers who cross channels, order, rate and ask for help — through the real action path", async () => {
    const db = await freshDb();
    const now = new Date("2026-11-24T12:00:00Z");
    await importContent(db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now });
    const stockBefore = (db.client.prepare("SELECT SUM(stock) AS s FROM inventory").get() as { s: number }).s;
    const report = await generateDemoJourneys(db, { customers: 30, now, baseUrl: "https://shop.example", registry: renderers });
    expect(report.actions).toBeGreaterThan(60);
    expect(report.refused).toBe(0);
    const insights = await channelInsights(db, { from: new Date(now.getTime() - 31 * 86_400_000), to: new Date(now.getTime() + 1) });
    expect(insights.totals.customers).toBe(30);
    expect(insights.totals.multiChannelCustomers).toBeGreaterThan(5);
    expect(insights.totals.orders).toBeGreaterThan(5);
    expect(insights.totals.csat.ratings).toBeGreaterThan(3);
    // NPS answers too, so a new user sees figures: per answering channel and per starting channel, adding up to the total.
    expect(insights.totals.nps.responses).toBeGreaterThan(3);
    expect(insights.totals.nps.score).not.toBeNull();
    const sum = (pick: (c: (typeof insights.channels)[number]) => number) => insights.channels.reduce((s, c) => s + pick(c), 0);
    expect(sum((c) => c.nps.responses)).toBe(insights.totals.nps.responses);
    expect(sum((c) => c.npsByJourneyStart.responses)).toBe(insights.totals.nps.responses);
    expect(insights.handoffs.length).toBeGreaterThan(0);
    expect(insights.channels.filter((c) => c.interactions > 0).length).toBeGreaterThanOrEqual(4);
    const stockAfter = (db.client.prepare("SELECT SUM(stock) AS s FROM inventory").get() as { s: number }).s;
    const sold = (db.client.prepare("SELECT SUM(l.quantity) AS q FROM order_lines l").get() as { q: number }).q;
    expect(stockBefore - stockAfter).toBe(sold);
    const again = await generateDemoJourneys(await freshDb(), { customers: 0, now, baseUrl: "x", registry: renderers });
    expect(again.actions).toBe(0);
  });
});
