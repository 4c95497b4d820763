/**
 * Outbound webhook endpoints (docs/architecture.md, "Outbound webhooks"): who is told when the catalogue
 * changes, and where a message may be sent at all. Targets must be https to a
 * public address or public DNS name (see `./address`); plain http and private,
 * loopback or link-local addresses only for hosts on `WEBHOOK_ALLOW_HOSTS`.
 * Runtime-neutral.
 */
import { z } from "@hono/zod-openapi";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { webhookDeliveries, webhookEndpoints } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { hostProblem } from "./address";

export const WEBHOOK_EVENT_TYPES = [
  "product.published",
  "product.unpublished",
  "product.archived",
  "product.availability_changed",
  "message.published",
  "message.unpublished",
  "message.archived",
  "action.published",
  "action.unpublished",
  "action.archived",
  // Orders placed through an ACP checkout session, as ACP order events (src/acp/events.ts).
  "acp.order_create",
  "acp.order_update",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const EventFilter = z.enum([...WEBHOOK_EVENT_TYPES, "*"]);

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: "wh_019ad3c2a1b20000f3a9c1d2e4b5a6c7" }),
    url: z.string().openapi({ example: "https://hooks.partner.example/unison" }),
    description: z.string().nullable(),
    events: z.array(EventFilter).openapi({ example: ["product.published", "product.unpublished"] }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: "Why Unison stopped sending, e.g. the receiver answered 410 Gone." }),
    version: z.number().int().openapi({ example: 1 }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

const TargetUrl = z.string().trim().url().max(2000).openapi({ example: "https://hooks.partner.example/unison" });

export const WebhookEndpointCreate = z
  .strictObject({
    url: TargetUrl,
    events: z
      .array(EventFilter)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length + 1)
      .default(["*"])
      .openapi({ description: "Event types to receive; `*` for all." }),
    description: z.string().trim().min(1).max(200).optional().openapi({ example: "Search index" }),
  })
  .openapi("WebhookEndpointCreate", { example: { url: "https://hooks.partner.example/unison", events: ["product.published"] } });

export const WebhookEndpointPatch = z
  .strictObject({
    url: TargetUrl.optional(),
    events: z
      .array(EventFilter)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length + 1)
      .optional(),
    description: z.string().trim().min(1).max(200).nullable().optional(),
    enabled: z.boolean().optional().openapi({ description: "Turn sending off or back on (which clears `disabledReason`)." }),
  })
  .openapi("WebhookEndpointPatch", { example: { enabled: true } });

export const WebhookDeliverySchema = z
  .object({
    id: z
      .string()
      .openapi({ description: "The `webhook-id`: the same on every attempt.", example: "msg_019ad3c2a1b20000f3a9c1d2e4b5a6c7" }),
    type: z.string().openapi({ example: "product.published" }),
    status: z.enum(["pending", "delivered", "failed", "abandoned"]),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().openapi({ description: "The receiver's last HTTP status." }),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

type EndpointRow = typeof webhookEndpoints.$inferSelect;

export function endpointDto(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEndpoint["events"],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Whether an endpoint subscribed to this event type. */
export function subscribes(row: { events: string }, type: string): boolean {
  const events = JSON.parse(row.events) as string[];
  return events.includes("*") || events.includes(type);
}

// ---------------------------------------------------------------------------
// Where a message may go.

/** The host as the allow-list names it: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
}

/** Whether `WEBHOOK_ALLOW_HOSTS` names this host (case-insensitive). */
export function isAllowedHost(host: string, allowHosts: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowHosts.some((h) => h.toLowerCase() === name);
}

/** Why this URL may not receive webhooks, or null when it may (before name resolution). */
export function targetProblem(raw: string, allowHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "The webhook URL is not a valid URL.";
  }
  const host = hostOf(url);
  const allowed = isAllowedHost(host, allowHosts);
  if (url.username || url.password) return "Webhook URLs may not carry credentials; use the signature to authenticate Unison.";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowed)) return "Webhook URLs must be https.";
  if (allowed) return null;
  return hostProblem(host);
}

/** The refusal as a 422 on the `url` field. */
function assertTarget(url: string, allowHosts: readonly string[]) {
  const problem = targetProblem(url, allowHosts);
  if (problem) {
    throw new ApiError("webhook_target_refused", problem, {
      extra: { errors: [{ in: "body", pointer: "/url", code: "target_refused", message: problem }] },
    });
  }
}

// ---------------------------------------------------------------------------
// Endpoints.

/** A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64. */
function newSecret(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export async function createEndpoint(
  db: Database,
  input: z.infer<typeof WebhookEndpointCreate>,
  now: Date,
  allowHosts: readonly string[],
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  assertTarget(input.url, allowHosts);
  const at = now.toISOString();
  const row: EndpointRow = {
    id: newId("wh"),
    url: input.url,
    description: input.description ?? null,
    events: JSON.stringify([...new Set(input.events)]),
    secret: newSecret(),
    enabled: true,
    disabledReason: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await db.orm.insert(webhookEndpoints).values(row);
  return { endpoint: endpointDto(row), secret: row.secret };
}

export async function listEndpoints(db: Database): Promise<WebhookEndpoint[]> {
  return (await db.orm.select().from(webhookEndpoints).orderBy(webhookEndpoints.id)).map(endpointDto);
}

export async function getEndpointRow(db: Database, id: string): Promise<EndpointRow> {
  const [row] = await db.orm.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1);
  if (!row) throw new ApiError("not_found", `No webhook endpoint "${id}".`);
  return row;
}

/** Compare-and-set on the version: a stale one is 412 with the current version. */
async function casUpdate(db: Database, id: string, expectedVersion: number, set: Partial<EndpointRow>): Promise<EndpointRow> {
  const [row] = await db.orm
    .update(webhookEndpoints)
    .set({ ...set, version: expectedVersion + 1 })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.version, expectedVersion)))
    .returning();
  if (row) return row;
  throw await staleVersion(db, id);
}

/** The 412 for a compare-and-set that lost, with the current version (or 404 when the endpoint is gone). */
async function staleVersion(db: Database, id: string): Promise<ApiError> {
  const current = await getEndpointRow(db, id);
  return new ApiError("precondition_failed", "Someone else changed this endpoint since you read it. Re-read it and retry.", {
    extra: { currentVersion: current.version },
    headers: { etag: `"v${current.version}"` },
  });
}

export async function updateEndpoint(
  db: Database,
  id: string,
  expectedVersion: number,
  patch: z.infer<typeof WebhookEndpointPatch>,
  now: Date,
  allowHosts: readonly string[],
): Promise<WebhookEndpoint> {
  if (patch.url !== undefined) assertTarget(patch.url, allowHosts);
  const set: Partial<EndpointRow> = { updatedAt: now.toISOString() };
  if (patch.url !== undefined) set.url = patch.url;
  if (patch.events !== undefined) set.events = JSON.stringify([...new Set(patch.events)]);
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.enabled !== undefined) {
    set.enabled = patch.enabled;
    if (patch.enabled) set.disabledReason = null;
  }
  return endpointDto(await casUpdate(db, id, expectedVersion, set));
}

/** Deletes the endpoint and, with it, its delivery history (and anything still pending for it). */
export async function deleteEndpoint(db: Database, id: string, expectedVersion: number): Promise<WebhookEndpoint> {
  const [row] = await db.orm
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.version, expectedVersion)))
    .returning();
  if (row) return endpointDto(row);
  throw await staleVersion(db, id);
}

/** Turns an endpoint off on the receiver's word (410 Gone); its pending messages are abandoned. */
export async function disableEndpoint(db: Database, id: string, reason: string, now: Date): Promise<void> {
  const at = now.toISOString();
  await db.atomic((orm) => [
    orm
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason, updatedAt: at, version: sql`${webhookEndpoints.version} + 1` })
      .where(eq(webhookEndpoints.id, id)),
    orm
      .update(webhookDeliveries)
      .set({ status: "abandoned", nextAttemptAt: null, leaseUntil: null, lastError: reason })
      .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, "pending"))),
  ]);
}

export async function listDeliveries(db: Database, endpointId: string, limit: number) {
  const rows = await db.orm
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastStatus: r.lastStatus,
    lastError: r.lastError,
    createdAt: r.createdAt,
    deliveredAt: r.deliveredAt,
  }));
}
