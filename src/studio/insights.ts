/**
 * Insights for customer-experience staff (`customers:read`): per channel over
 * a chosen period — customers, interactions, conversion, CSAT, NPS, open cases
 * — and the journey picture: where journeys start and how they end, the
 * handoff matrix, the value of crossing channels, the effort per channel path
 * and the consistency trend. Every figure comes from `/v1/insights/channels`
 * and `/v1/insights/journeys`, called in-process with the staff member's key.
 * Charts are server-rendered SVG (charts.ts) with a text alternative and a
 * data table each; every table is also a CSV download.
 */
import { JOURNEY_CHANNELS } from "../journeys/channels";
import type { Router } from "../lib/create-router";
import { type Api, okBody } from "./api";
import { bars, matrix, stacked } from "./charts";
import { guardedPage } from "./guard";
import type { Session } from "./session";
import { chrome, type StudioContext, securityHeaders, sendPage, sendProblem } from "./view";

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Cell = string | number | null;
interface Table {
  title: string;
  head: string[];
  rows: Cell[][];
}

/** The period asked for: `from` and `to` are calendar days (UTC), both included; by default the last 30 days. */
function periodOf(c: StudioContext, now: Date): { from: string; to: string; query: string } | null {
  const today = now.toISOString().slice(0, 10);
  const to = c.req.query("to") || today;
  const from = c.req.query("from") || new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY).toISOString().slice(0, 10);
  if (!DATE.test(from) || !DATE.test(to) || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return null;
  const end = new Date(Date.parse(`${to}T00:00:00Z`) + DAY).toISOString();
  return { from, to, query: `from=${encodeURIComponent(`${from}T00:00:00Z`)}&to=${encodeURIComponent(end)}` };
}

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);
const npsText = (nps: { score: number | null; responses: number }) => (nps.score === null ? "—" : `${nps.score} (${nps.responses})`);
const money = (minor: number | null) => (minor === null ? "—" : (minor / 100).toFixed(2));

// biome-ignore lint/suspicious/noExplicitAny: API bodies are read loosely (the API's schema is the contract).
type Body = any;

function tables(channels: Body, journeys: Body): Record<string, Table> {
  const handoffs = channels.handoffs as { from: string; to: string; created: number; redeemed: number }[];
  return {
    channels: {
      title: "Per channel",
      head: [
        "Channel",
        "Customers",
        "Interactions",
        "Orders",
        "Conversion",
        "CSAT (ratings)",
        "NPS (answers)",
        "NPS by journey start (answers)",
        "Open cases",
      ],
      rows: (channels.channels as Body[]).map((ch) => [
        ch.channel,
        ch.customers,
        ch.interactions,
        ch.orders,
        pct(ch.conversion),
        ch.csat.average === null ? "—" : `${ch.csat.average} (${ch.csat.ratings})`,
        npsText(ch.nps),
        npsText(ch.npsByJourneyStart),
        ch.openCases,
      ]),
    },
    starts: {
      title: "Where journeys start and how they end",
      head: ["Starting channel", "Journeys", "Ordered", "Case, no order", "Dropped"],
      rows: (journeys.starts as Body[]).map((s) => [s.channel, s.journeys, s.ordered, s.caseOnly, s.dropped]),
    },
    ends: {
      title: "Where journeys end in an order",
      head: ["Channel", "Orders"],
      rows: (journeys.ends as Body[]).map((e) => [e.channel, e.orders]),
    },
    handoffs: {
      title: "Handoffs between channels",
      head: ["From", "To", "Created", "Redeemed"],
      rows: handoffs.map((h) => [h.from, h.to, h.created, h.redeemed]),
    },
    "cross-channel": {
      title: "Value of crossing channels",
      head: ["Channels used", "Customers", "Orders", "Revenue", "Orders per customer", "Revenue per customer"],
      rows: (journeys.crossChannel as Body[]).map((b) => [
        b.channels === 3 ? "3 or more" : b.channels,
        b.customers,
        b.orders,
        money(b.revenue),
        b.ordersPerCustomer ?? "—",
        money(b.revenuePerCustomer),
      ]),
    },
    effort: {
      title: "Effort per channel path",
      head: ["Path", "Journeys", "Reached an order or closed case", "Mean interactions to get there", "Mean hours to get there"],
      rows: (journeys.effort as Body[]).map((e) => [
        (e.path as string[]).join(" → "),
        e.journeys,
        e.reached,
        e.interactions ?? "—",
        e.hours ?? "—",
      ]),
    },
    consistency: {
      title: "Parity violations let through (forced publishes)",
      head: ["Day", "Channel", "Rule", "Violations"],
      rows: (journeys.consistency as Body[]).map((v) => [v.day, v.channel, v.rule, v.violations]),
    },
  };
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with `'`. */
function csvCell(v: Cell): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * What both insight pages need: the period asked for (a wrong one is a 400 page) and the answers of
 * `/v1/insights/channels` and `/v1/insights/journeys` (a refusal is the page guard's error page, via `okBody`).
 */
async function loadInsights(c: StudioContext, session: Session, api: Api) {
  const period = periodOf(c, c.get("clock")());
  if (!period)
    return sendProblem(c, session, 400, "Wrong period", "Give the period's first and last days as dates (YYYY-MM-DD).", "/studio/insights");
  const channels: Body = okBody(await api("GET", `/v1/insights/channels?${period.query}`), "GET /v1/insights/channels");
  const journeys: Body = okBody(await api("GET", `/v1/insights/journeys?${period.query}`), "GET /v1/insights/journeys");
  return { period, channels, journeys };
}

export function registerInsightsPages(app: Router) {
  app.get(
    "/studio/insights",
    guardedPage(app, "customers:read", async (c, session, api) => {
      const data = await loadInsights(c, session, api);
      if (data instanceof Response) return data;
      const { period, channels, journeys } = data;
      const all = tables(channels, journeys);
      const per = channels.channels as Body[];
      const label = (ch: string) => ch;
      const handoffs = channels.handoffs as { from: string; to: string; created: number }[];
      const charts = {
        customers: bars(
          "chart-customers",
          "Customers per channel",
          per.map((ch) => ({ label: label(ch.channel), value: ch.customers })),
        ),
        conversion: bars(
          "chart-conversion",
          "Conversion per channel",
          per.map((ch) => ({
            label: ch.channel,
            value: ch.conversion === null ? null : Math.round(ch.conversion * 1000) / 10,
            display: pct(ch.conversion),
          })),
          { max: 100 },
        ),
        csat: bars(
          "chart-csat",
          "CSAT per channel (mean of 1–5)",
          per.map((ch) => ({
            label: ch.channel,
            value: ch.csat.average,
            display: ch.csat.average === null ? "—" : `${ch.csat.average} (${ch.csat.ratings})`,
          })),
          { max: 5 },
        ),
        nps: bars(
          "chart-nps",
          "NPS per answering channel (−100 to 100)",
          per.map((ch) => ({ label: ch.channel, value: ch.nps.score, display: npsText(ch.nps) })),
          { min: -100, max: 100 },
        ),
        npsStart: bars(
          "chart-nps-start",
          "NPS per starting channel (−100 to 100)",
          per.map((ch) => ({ label: ch.channel, value: ch.npsByJourneyStart.score, display: npsText(ch.npsByJourneyStart) })),
          { min: -100, max: 100 },
        ),
        starts: stacked(
          "chart-starts",
          "Where journeys start and how they end",
          ["ordered", "case only", "dropped"],
          (journeys.starts as Body[]).map((s) => ({ label: s.channel, parts: [s.ordered, s.caseOnly, s.dropped] })),
        ),
        handoffs: matrix(
          "chart-handoffs",
          "Handoffs: from (rows) to (columns)",
          JOURNEY_CHANNELS,
          JOURNEY_CHANNELS,
          (from, to) => handoffs.find((h) => h.from === from && h.to === to)?.created ?? 0,
        ),
        value: bars(
          "chart-value",
          "Revenue per customer by channels used",
          (journeys.crossChannel as Body[]).map((b) => ({
            label: b.channels === 3 ? "3+ channels" : `${b.channels} channel${b.channels === 1 ? "" : "s"}`,
            value: b.revenuePerCustomer === null ? null : b.revenuePerCustomer / 100,
            display: money(b.revenuePerCustomer),
          })),
        ),
      };
      const totals = channels.totals;
      const link = (table: string) => `/studio/insights/export.csv?table=${table}&from=${period.from}&to=${period.to}`;
      return sendPage("insights", {
        chrome: chrome(c, session, "Insights", "/studio/insights"),
        from: period.from,
        to: period.to,
        totals: {
          customers: totals.customers,
          multi: totals.multiChannelCustomers,
          orders: totals.orders,
          conversion: pct(totals.conversion),
          csat: totals.csat.average ?? "—",
          nps: npsText(totals.nps),
          openCases: totals.openCases,
        },
        charts,
        tables: Object.entries(all).map(([key, t]) => ({ key, ...t, csv: link(key), empty: t.rows.length === 0 })),
      });
    }),
  );

  app.get(
    "/studio/insights/export.csv",
    guardedPage(app, "customers:read", async (c, session, api) => {
      const name = c.req.query("table") ?? "";
      const data = await loadInsights(c, session, api);
      if (data instanceof Response) return data;
      const { period } = data;
      const table = tables(data.channels, data.journeys)[name];
      if (!table) return sendProblem(c, session, 404, "Not found", "There is no such table.", "/studio/insights");
      const csv = [table.head, ...table.rows].map((row) => row.map(csvCell).join(",")).join("\r\n");
      return new Response(`${csv}\r\n`, {
        headers: {
          ...securityHeaders(),
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="unison-${name}-${period.from}-${period.to}.csv"`,
        },
      });
    }),
  );
}
