/**
 * The customer view for staff (`customers:read`): find a customer by name,
 * email, phone number or any identity, then one page with their whole story — identities, the timeline
 * across channels in order, the cart, orders with status, cases with their
 * history. Every figure comes from the customers API (`/v1/customers/…`,
 * `/v1/cases`), called in-process with the staff member's key, so the API's
 * scopes apply and each view is written to the audit log by the API itself.
 * Nothing about the customer is logged.
 */
import { OUTBOUND_CHANNELS } from "../inbound/senders";
import type { Router } from "../lib/create-router";
import { newId } from "../lib/ids";
import { hasScope } from "../lib/keys";
import type { Api } from "./api";
import { guardedPage } from "./guard";
import { chrome, sendPage, sendProblem } from "./view";

const OUTBOUND: readonly string[] = OUTBOUND_CHANNELS;

/** The most of a timeline one page shows (newest kept). */
const TIMELINE_MAX = 500;

const DIRECTION_LABEL: Record<string, string> = { inbound: "Customer", action: "Action", outbound: "Reply" };

async function wholeTimeline(api: Api, id: string) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  // Newest first, so a very long story keeps its latest part; shown oldest first.
  for (let page = 0; page < TIMELINE_MAX / 100; page++) {
    const res = await api(
      "GET",
      `/v1/customers/${id}/timeline?order=desc&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (res.status !== 200) break;
    items.push(...res.body.data);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return { items: items.reverse(), truncated: cursor !== null };
}

export function registerCustomerPages(app: Router) {
  app.get(
    "/studio/customers",
    guardedPage(app, "customers:read", async (c, session, api) => {
      const q = (c.req.query("q") ?? "").slice(0, 100);
      const res = await api("GET", `/v1/customers?limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}`);
      if (res.status !== 200) return sendProblem(c, session, res.status, "Search failed", String(res.body?.detail ?? res.status));
      const rows = (
        res.body.data as {
          id: string;
          name: string | null;
          email: string | null;
          firstChannel: string;
          createdAt: string;
          identities: { channel: string; externalId: string }[];
        }[]
      ).map((r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        href: `/studio/customers/${r.id}`,
        firstChannel: r.firstChannel,
        createdAt: r.createdAt,
        identities: r.identities.map((i) => `${i.channel}: ${i.externalId}`).join(", "),
      }));
      return sendPage("customers", {
        chrome: chrome(c, session, "Customers", "/studio/customers"),
        q,
        rows,
        count: rows.length,
        searched: q !== "",
      });
    }),
  );

  app.get(
    "/studio/customers/:id",
    guardedPage(app, "customers:read", async (c, session, api) => {
      const id = c.req.param("id") ?? "";
      if (!/^cus_[0-9a-f]{32}$/.test(id))
        return sendProblem(c, session, 404, "Not found", "There is no such customer.", "/studio/customers");
      const customer = await api("GET", `/v1/customers/${id}`);
      if (customer.status !== 200)
        return sendProblem(c, session, customer.status, "Not found", "There is no such customer.", "/studio/customers");
      const [timeline, cart, orders, cases] = [
        await wholeTimeline(api, id),
        await api("GET", `/v1/customers/${id}/cart`),
        await api("GET", `/v1/customers/${id}/orders?limit=100`),
        await api("GET", `/v1/cases?customer=${id}&limit=100`),
      ];
      const caseRows = (cases.body?.data ?? []) as Record<string, unknown>[];
      const channels = [...new Set(timeline.items.map((i) => String(i.channel)))];
      const reachable = [
        ...new Set((customer.body.identities as { channel: string }[]).map((i) => i.channel).filter((ch) => OUTBOUND.includes(ch))),
      ];
      const openCases = [];
      for (const row of caseRows.filter((r) => r.status === "open")) {
        const replies = await api("GET", `/v1/cases/${row.id}/replies`);
        openCases.push({
          ...row,
          replies: replies.status === 200 ? replies.body.data : [],
          channels: reachable.map((ch) => ({ value: ch, selected: ch === row.channel })),
        });
      }
      return sendPage("customer", {
        chrome: chrome(c, session, `Customer ${id}`, "/studio/customers"),
        id,
        name: customer.body.name,
        email: customer.body.email,
        firstChannel: customer.body.firstChannel,
        createdAt: customer.body.createdAt,
        channels: channels.join(", ") || "—",
        identities: customer.body.identities,
        timeline: timeline.items.map((i) => ({
          at: i.at,
          channel: i.channel,
          who: DIRECTION_LABEL[String(i.direction)] ?? i.direction,
          action: i.action,
          summary: i.summary,
        })),
        truncated: timeline.truncated,
        cart: cart.status === 200 ? cart.body : null,
        orders: orders.status === 200 ? orders.body.data : [],
        openCases,
        canReply: hasScope(session.principal, "actions:invoke"),
        replyAction: `/studio/customers/${id}/reply`,
        csrf: session.csrf,
        // One token per rendered form: submitting the same form twice sends one message.
        replyKey: newId("studio"),
        closedCases: caseRows.filter((r) => r.status === "closed"),
      });
    }),
  );

  app.post(
    "/studio/customers/:id/reply",
    guardedPage(
      app,
      "actions:invoke",
      async (c, session, api, values) => {
        const id = c.req.param("id") ?? "";
        const caseId = values.get("case") ?? "";
        const back = `/studio/customers/${encodeURIComponent(id)}`;
        if (!/^case_[0-9a-f]{32}$/.test(caseId)) return sendProblem(c, session, 400, "Not sent", "The form names no case.", back);
        const channel = values.get("channel");
        const res = await api("POST", `/v1/cases/${caseId}/reply`, {
          body: { text: values.get("text") ?? "", ...(channel ? { channel } : {}) },
          idempotencyKey: values.get("key") || newId("studio"),
        });
        if (res.status === 200) return c.redirect(`${back}?notice=replied`, 303);
        const detail = res.body?.errors?.[0]?.message ?? res.body?.detail ?? `The API answered ${res.status}.`;
        return sendProblem(c, session, res.status, "Not sent", String(detail), back);
      },
      "POST",
    ),
  );
}
