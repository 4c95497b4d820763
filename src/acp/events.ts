/**
 * ACP order events (Agentic Commerce Protocol webhooks, 2026-04-17): when an
 * order placed through a checkout session is created or changes status, the
 * agent's webhook receives `{ "type": "order_create" | "order_update", "data":
 * <the full Order> }`. The events are queued by triggers (migration 0011) in
 * the transaction of the change, and sent through the Standard Webhooks outbox
 * (src/webhooks/dispatch.ts: the same signing, retries and address checks) to
 * the endpoints subscribed to `acp.order_create` / `acp.order_update`.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { acpCheckoutSessions, orders, type webhookEvents } from "../db/schema";
import { linesOf, orderView } from "../journeys/orders";
import { ACP_ORDER_STATUS, acpOrder } from "./checkout";

/** The delivery of a queued ACP order event: its type for subscriptions, and the exact body (null when the order is gone). */
export async function acpOrderEvent(
  db: Database,
  row: typeof webhookEvents.$inferSelect,
  baseUrl: string,
): Promise<{ type: string; body: string } | null> {
  const [order] = await db.orm.select().from(orders).where(eq(orders.id, row.entityKey)).limit(1);
  const [session] = await db.orm.select().from(acpCheckoutSessions).where(eq(acpCheckoutSessions.orderId, row.entityKey)).limit(1);
  if (!order || !session) return null;
  const view = orderView(order, await linesOf(db, order.id), session.locale);
  const detail = row.detail ? (JSON.parse(row.detail) as { status?: keyof typeof ACP_ORDER_STATUS }) : {};
  const data = acpOrder(session.id, view, baseUrl);
  // The status the change moved the order to (the order may have moved on since; a later event reports that).
  if (detail.status && ACP_ORDER_STATUS[detail.status]) data.status = ACP_ORDER_STATUS[detail.status];
  const type = row.action === "acp.order_create" ? "order_create" : "order_update";
  return { type: row.action, body: JSON.stringify({ type, data }) };
}
