/**
 * The insights pages in-process, on the demo journeys: every figure is the
 * API's (/v1/insights/…), each chart is an accessible SVG with a text
 * alternative next to a data table, tables download as CSV, and only a
 * customers:read key gets in.
 */
import { HtmlValidate } from "html-validate";
import { describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { generateDemoJourneys } from "../../src/journeys/demo";
import { BASE_URL, DEMO_NOW } from "../helpers/demo";
import { EDITOR, studioApp } from "./helpers";

async function withJourneys() {
  const studio = await studioApp();
  await generateDemoJourneys(studio.db, { customers: 25, now: DEMO_NOW, baseUrl: BASE_URL, registry: renderers });
  const key = await studio.key("customers:read");
  const client = studio.client();
  await client.signIn(key);
  return { studio, key, client };
}

const csvRows = (text: string) =>
  text
    .trimEnd()
    .split("\r\n")
    .map((l) => l.split(","));

describe("the studio insights pages (/studio/insights)", () => {
  it("shows per-channel figures and the journey picture as SVG charts with text alternatives and data tables, from the API", async () => {
    const { studio, key, client } = await withJourneys();
    const res = await client.get("/studio/insights");
    const page = await res.text();
    expect(res.status).toBe(200);
    const api = (await studio.api(key, "GET", "/v1/insights/channels")).body;
    expect(api.totals.nps.responses).toBeGreaterThan(0);
    expect(page).toContain(`NPS ${api.totals.nps.score} (${api.totals.nps.responses})`);
    expect(page).toContain(`${api.totals.customers} customers (${api.totals.multiChannelCustomers} on two or more channels)`);
    // Eight charts, each an image with a title and a description naming its figures.
    const svgs = [
      ...page.matchAll(
        /<svg [^>]*role="img" aria-labelledby="([a-z-]+)-t \1-d"[^>]*><title id="\1-t">([^<]+)<\/title><desc id="\1-d">([^<]*)<\/desc>/g,
      ),
    ];
    expect(svgs.map((m) => m[1])).toEqual([
      "chart-customers",
      "chart-conversion",
      "chart-csat",
      "chart-nps",
      "chart-nps-start",
      "chart-starts",
      "chart-handoffs",
      "chart-value",
    ]);
    const web = api.channels.find((c: { channel: string }) => c.channel === "web");
    expect(svgs[0]?.[3]).toContain(`web: ${web.customers}`);
    const handoff = api.handoffs[0];
    expect(svgs[6]?.[3]).toContain(`${handoff.from} to ${handoff.to}: ${handoff.created}`);
    // The data tables carry the same figures.
    expect(page).toContain('<h3 id="t-channels">Per channel</h3>');
    const report = await new HtmlValidate({
      extends: ["html-validate:recommended"],
      rules: { "doctype-style": "off", "long-title": "off" },
    }).validateString(page);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
  });

  it("exports each table as CSV with the API's figures, for the period asked", async () => {
    const { studio, key, client } = await withJourneys();
    const res = await client.get("/studio/insights/export.csv?table=channels&from=2026-10-01&to=2026-11-24");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="unison-channels-2026-10-01-2026-11-24.csv"');
    const rows = csvRows(await res.text());
    expect(rows[0]?.[0]).toBe("Channel");
    const api = (await studio.api(key, "GET", "/v1/insights/channels?from=2026-10-01T00:00:00Z&to=2026-11-25T00:00:00Z")).body;
    expect(rows.slice(1).map((r) => [r[0], Number(r[1]), Number(r[2]), Number(r[3])])).toEqual(
      api.channels.map((c: Record<string, number>) => [c.channel, c.customers, c.interactions, c.orders]),
    );
    const effort = csvRows(await (await client.get("/studio/insights/export.csv?table=effort")).text());
    const journeys = (await studio.api(key, "GET", "/v1/insights/journeys")).body;
    expect(effort.length - 1).toBe(journeys.effort.length);
    expect((await client.get("/studio/insights/export.csv?table=nope")).status).toBe(404);
    expect((await client.get("/studio/insights?from=yesterday")).status).toBe(400);
    // A period the API refuses is shown with the API's reason (the shared page guard), on the page and for the CSV.
    for (const path of [
      "/studio/insights?from=2026-03-01&to=2026-01-01",
      "/studio/insights/export.csv?table=channels&from=2026-03-01&to=2026-01-01",
    ]) {
      const refused = await client.get(path);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("The API GET /v1/insights/channels answered 400: from must be before to.");
    }
    // An empty period is a page with nothing in it, not an error.
    const empty = await (await client.get("/studio/insights?from=2020-01-01&to=2020-01-31")).text();
    expect(empty).toContain("0 customers");
  });

  it("needs customers:read: a catalog:write-only key is refused the page and the CSV", async () => {
    const studio = await studioApp();
    const client = studio.client();
    await client.signIn(await studio.key(...EDITOR));
    expect((await client.get("/studio/insights")).status).toBe(403);
    expect((await client.get("/studio/insights/export.csv?table=channels")).status).toBe(403);
    expect((await studio.client().get("/studio/insights")).status).toBe(303);
  });
});
