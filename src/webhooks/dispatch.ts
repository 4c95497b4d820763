/**
 * Sends catalogue events (and ACP order events, src/acp/events.ts) to webhook endpoints, per Standard Webhooks
 * (docs/architecture.md, "Outbound webhooks"): `webhook-id` (the same on every attempt), `webhook-timestamp`
 * and `webhook-signature` (`v1,` HMAC-SHA256 of `id.timestamp.body` with the
 * endpoint's secret); retries back off (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h); 410 Gone turns the endpoint off; redirects are never followed; targets
 * that are not public are refused at send time too (after name resolution,
 * where the runtime can resolve).
 *
 * One call of {@link dispatchWebhooks} is one tick: fan new events out to the
 * endpoints that subscribed, then send what is due. Ticks may overlap (two
 * processes on one file, a cron trigger and a request): a delivery is claimed
 * with a lease before it is sent, and fan-out is idempotent. Runtime-neutral:
 * the Node server ticks on a timer, Workers on a cron trigger.
 */
import { asc, eq, inArray, lte, sql } from "drizzle-orm";
import { acpOrderEvent } from "../acp/events";
import { afterFailure, claimDue, type Database } from "../db/client";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import { newId } from "../lib/ids";
import { isPublicAddress } from "./address";
import { disableEndpoint, hostOf, isAllowedHost, subscribes, targetProblem } from "./endpoints";

/** Delays after the 1st … 7th failed attempt; the 8th failure is final. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/** How long a claimed delivery is left to its sender before another tick may retry it. */
const LEASE_SECONDS = 60;
const FAN_OUT_BATCH = 200;
/** Finished deliveries (delivered, failed, abandoned) are kept this long for the deliveries list, then pruned. */
export const DELIVERY_RETENTION_DAYS = 30;

export interface DispatchOptions {
  now: () => Date;
  /** `PUBLIC_BASE_URL`: event data links to the delivery API there. */
  baseUrl: string;
  allowHosts: readonly string[];
  fetch?: typeof fetch;
  /** The addresses a host name resolves to (Node: `dns.lookup`). Absent on Workers, whose fetch cannot reach private networks. */
  resolveHost?: (host: string) => Promise<string[]>;
  timeoutMs?: number;
  /** Deliveries sent per tick. */
  batch?: number;
}

export interface DispatchReport {
  queued: number;
  delivered: number;
  retrying: number;
  failed: number;
  abandoned: number;
}

const EVENT_OF_ACTION: Record<string, string> = {
  publish: "published",
  publish_forced: "published",
  rollback: "published",
  unpublish: "unpublished",
  archive: "archived",
  availability: "availability_changed",
};

/** The event a `webhook_events` row reports, as sent (Standard Webhooks payload: type, timestamp, data). */
function eventPayload(row: typeof webhookEvents.$inferSelect, baseUrl: string): { type: string; body: string } | null {
  const verb = EVENT_OF_ACTION[row.action.slice(row.action.indexOf(".") + 1)];
  if (!verb) return null;
  const type = `${row.entityType}.${verb}`;
  const path =
    row.entityType === "product"
      ? `/v1/products/${encodeURIComponent(row.entityKey)}`
      : row.entityType === "message"
        ? `/v1/messages/${encodeURIComponent(row.entityKey)}`
        : "/v1/actions";
  const detail = row.detail ? (JSON.parse(row.detail) as { from?: string; to?: string }) : {};
  const data = {
    entity: row.entityType,
    key: row.entityKey,
    revision: row.toRevision,
    version: row.toVersion,
    change: row.action,
    keyId: row.keyId,
    url: verb === "published" || verb === "availability_changed" ? `${baseUrl}${path}` : null,
    ...(verb === "availability_changed" ? { availability: detail.to ?? null, previous: detail.from ?? null } : {}),
  };
  return { type, body: JSON.stringify({ type, timestamp: row.at, data }) };
}

/** Turns queued events into one delivery per subscribed endpoint, then forgets the events. */
async function fanOut(db: Database, options: DispatchOptions): Promise<number> {
  const events = await db.orm.select().from(webhookEvents).orderBy(asc(webhookEvents.seq)).limit(FAN_OUT_BATCH);
  if (events.length === 0) return 0;
  const endpoints = await db.orm.select().from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true));
  const at = options.now().toISOString();
  const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
  for (const event of events) {
    const payload =
      event.entityType === "acp_order" ? await acpOrderEvent(db, event, options.baseUrl) : eventPayload(event, options.baseUrl);
    if (!payload) continue;
    for (const endpoint of endpoints) {
      if (!subscribes(endpoint, payload.type)) continue;
      rows.push({
        id: newId("msg"),
        endpointId: endpoint.id,
        eventId: event.auditId,
        type: payload.type,
        payload: payload.body,
        status: "pending",
        attempts: 0,
        nextAttemptAt: at,
        createdAt: at,
      });
    }
  }
  const last = events.at(-1)!.seq;
  await db.atomic((orm) => [
    ...rows.map((row) => orm.insert(webhookDeliveries).values(row).onConflictDoNothing()),
    orm.delete(webhookEvents).where(lte(webhookEvents.seq, last)),
  ]);
  return rows.length;
}

/** Queues one `webhook.test` message to an endpoint (sent on the next tick). */
export async function queueTestEvent(db: Database, endpointId: string, now: Date): Promise<string> {
  const id = newId("msg");
  const at = now.toISOString();
  const body = JSON.stringify({ type: "webhook.test", timestamp: at, data: { endpoint: endpointId } });
  await db.orm.insert(webhookDeliveries).values({
    id,
    endpointId,
    eventId: newId("evt"),
    type: "webhook.test",
    payload: body,
    status: "pending",
    attempts: 0,
    nextAttemptAt: at,
    createdAt: at,
  });
  return id;
}

function base64(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The Standard Webhooks signature header value for one attempt. */
export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${base64(mac)}`;
}

/** Why this target may not be sent to right now, or null. */
async function sendProblem(url: string, options: DispatchOptions): Promise<string | null> {
  const problem = targetProblem(url, options.allowHosts);
  if (problem || !options.resolveHost) return problem;
  const host = hostOf(new URL(url));
  if (isAllowedHost(host, options.allowHosts)) return null;
  let addresses: string[];
  try {
    addresses = await options.resolveHost(host);
  } catch {
    return `${host} does not resolve.`;
  }
  if (addresses.length === 0) return `${host} does not resolve.`;
  const inside = addresses.find((a) => !isPublicAddress(a));
  return inside ? `${host} resolves to ${inside}, which is not a public address.` : null;
}

type Outcome =
  | { kind: "delivered"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "failed"; status: number | null; error: string };

async function attempt(
  delivery: { id: string; payload: string },
  endpoint: { url: string; secret: string },
  options: DispatchOptions,
): Promise<Outcome> {
  const problem = await sendProblem(endpoint.url, options);
  if (problem) return { kind: "failed", status: null, error: problem };
  const timestamp = Math.floor(options.now().getTime() / 1000);
  try {
    const res = await (options.fetch ?? fetch)(endpoint.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: {
        "content-type": "application/json",
        "user-agent": "Unison-Webhooks/1",
        "webhook-id": delivery.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await sign(endpoint.secret, delivery.id, timestamp, delivery.payload),
      },
      body: delivery.payload,
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { kind: "delivered", status: res.status };
    if (res.status === 410) return { kind: "gone", status: res.status };
    const error = res.status >= 300 && res.status < 400 ? `Redirect (${res.status}) not followed.` : `The receiver answered ${res.status}.`;
    return { kind: "failed", status: res.status, error };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    return { kind: "failed", status: null, error: name === "TimeoutError" ? "No answer in time." : "The receiver could not be reached." };
  }
}

/**
 * One tick: fan out new events, then send the deliveries that are due.
 *
 * @example
 * await dispatchWebhooks(db, { now: () => new Date(), baseUrl: config.PUBLIC_BASE_URL, allowHosts: [] });
 */
export async function dispatchWebhooks(db: Database, options: DispatchOptions): Promise<DispatchReport> {
  const report: DispatchReport = { queued: await fanOut(db, options), delivered: 0, retrying: 0, failed: 0, abandoned: 0 };
  const now = options.now();
  const horizon = new Date(now.getTime() - DELIVERY_RETENTION_DAYS * 86_400_000).toISOString();
  await db.orm.run(sql`
    DELETE FROM webhook_deliveries WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE status IN ('delivered', 'failed', 'abandoned') AND created_at < ${horizon} LIMIT 500
    )`);
  const claimed = (
    await claimDue<{ id: string; endpoint_id: string; payload: string; attempts: number }>(
      db,
      "webhook_deliveries",
      now,
      LEASE_SECONDS,
      options.batch ?? 20,
    )
  ).map((row) => ({ id: row.id, endpointId: row.endpoint_id, payload: row.payload, attempts: row.attempts }));
  if (claimed.length === 0) return report;
  const endpoints = new Map(
    (
      await db.orm
        .select()
        .from(webhookEndpoints)
        .where(
          inArray(
            webhookEndpoints.id,
            claimed.map((d) => d.endpointId),
          ),
        )
    ).map((e) => [e.id, e]),
  );
  const gone = new Set<string>();
  // Endpoints in parallel; one endpoint's deliveries one after another, oldest first (ids sort by creation, and
  // fan-out makes them in event order): a receiver gets an order's order_create before its order_update when
  // both are due in the same tick. Retries can still arrive after newer events, as on every webhook platform.
  const byEndpoint = new Map<string, typeof claimed>();
  for (const delivery of [...claimed].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const queue = byEndpoint.get(delivery.endpointId);
    if (queue) queue.push(delivery);
    else byEndpoint.set(delivery.endpointId, [delivery]);
  }
  /** Sends one delivery and records the outcome; true when the receiver took it. */
  const send = async (delivery: (typeof claimed)[number]): Promise<boolean> => {
    const endpoint = endpoints.get(delivery.endpointId);
    if (!endpoint?.enabled) {
      report.abandoned++;
      await db.orm
        .update(webhookDeliveries)
        .set({ status: "abandoned", nextAttemptAt: null, leaseUntil: null, lastError: "The endpoint is disabled." })
        .where(eq(webhookDeliveries.id, delivery.id));
      return false;
    }
    const outcome = await attempt(delivery, endpoint, options);
    const attempts = delivery.attempts + 1;
    const done = options.now().toISOString();
    if (outcome.kind === "delivered") {
      report.delivered++;
      await db.orm
        .update(webhookDeliveries)
        .set({
          status: "delivered",
          attempts,
          nextAttemptAt: null,
          leaseUntil: null,
          lastStatus: outcome.status,
          lastError: null,
          deliveredAt: done,
        })
        .where(eq(webhookDeliveries.id, delivery.id));
    } else if (outcome.kind === "gone") {
      report.abandoned++;
      await db.orm
        .update(webhookDeliveries)
        .set({
          status: "abandoned",
          attempts,
          nextAttemptAt: null,
          leaseUntil: null,
          lastStatus: 410,
          lastError: "The receiver answered 410 Gone.",
        })
        .where(eq(webhookDeliveries.id, delivery.id));
      gone.add(endpoint.id);
    } else {
      const next = afterFailure(attempts, RETRY_DELAYS_SECONDS, options.now());
      if (next.status === "failed") report.failed++;
      else report.retrying++;
      await db.orm
        .update(webhookDeliveries)
        .set({
          ...next,
          attempts,
          leaseUntil: null,
          lastStatus: outcome.status,
          lastError: outcome.error,
        })
        .where(eq(webhookDeliveries.id, delivery.id));
    }
    return outcome.kind === "delivered";
  };
  await Promise.all(
    [...byEndpoint.values()].map(async (queue) => {
      for (const [i, delivery] of queue.entries()) {
        // A slow receiver does not hold the rest past their lease (another dispatcher would send them again).
        if ((await send(delivery)) && options.now().getTime() - now.getTime() < (LEASE_SECONDS * 1000) / 2) continue;
        // Not taken (or out of time): the newer ones wait for the next tick instead of overtaking it.
        const rest = queue.slice(i + 1).map((d) => d.id);
        if (rest.length) await db.orm.update(webhookDeliveries).set({ leaseUntil: null }).where(inArray(webhookDeliveries.id, rest));
        return;
      }
    }),
  );
  for (const id of gone) await disableEndpoint(db, id, "The receiver answered 410 Gone.", options.now());
  return report;
}
