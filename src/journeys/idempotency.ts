/**
 * Idempotency keys (docs/architecture.md, "Idempotency"), after Stripe's: a client retries a write
 * with the same `Idempotency-Key` and gets the first response back, exactly,
 * while the effect happens once.
 *
 * 1. **Claim** — an INSERT of `(api key, idempotency key)` that fails on
 *    conflict. The loser reads the row: same request done → replay the stored
 *    status and body; same request still running → 409 `idempotency_in_flight`;
 *    a different request under the same key → 422 `idempotency_key_reused`.
 * 2. **Complete** — the statement that sets the row `done` with the response
 *    is part of the action's own atomic unit, and it is a compare-and-set on
 *    the claim token: the business change and the stored response commit
 *    together or not at all, and only the request holding the claim commits.
 * 3. **Release** — a request that failed for a reason a retry could fix (a
 *    server error, lost races) deletes its claim so the same key can be
 *    retried. A claim whose request died is taken over after a short lease.
 *
 * Keys are scoped per API key and kept 24 hours; after that a key may be used afresh.
 */
import { and, eq, lte, sql } from "drizzle-orm";
import { type Database, guardWhen, isUniqueViolation, type Orm, releaseGuard, type Statement } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { sha256Hex } from "../lib/digest";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";

/** How long a key and its response are kept (docs/architecture.md, "Idempotency": at least 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim blocks duplicates before a retry may take it over (a request that died mid-way). */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;
/** The header's syntax: 1–255 visible ASCII characters (UUIDs, ULIDs, platform message ids all fit). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface Claim {
  apiKeyId: string;
  key: string;
  token: string;
}

export type ClaimOutcome = { kind: "claimed"; claim: Claim } | { kind: "replay"; status: number; body: string };

/** JSON with object keys sorted at every level: equal requests give equal bytes whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The fingerprint of a request: its operation and its canonical body.
 *
 * @example
 * await requestHash("POST /v1/actions/add_to_cart", body)
 */
export function requestHash(operation: string, body: unknown): Promise<string> {
  return sha256Hex(`${operation}\n${canonicalJson(body)}`);
}

const rowKey = (apiKeyId: string, key: string) => and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key));

/**
 * Claims a key for this request, or says why not (a replay, 409, 422).
 *
 * @example
 * const outcome = await claimIdempotencyKey(db, { apiKeyId, key, hash, path }, now);
 * if (outcome.kind === "replay") return new Response(outcome.body, { status: outcome.status });
 */
export async function claimIdempotencyKey(
  db: Database,
  request: { apiKeyId: string; key: string; hash: string; path: string },
  now: Date,
): Promise<ClaimOutcome> {
  const at = now.toISOString();
  const token = newId("clm");
  const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LEASE_MS).toISOString();
  try {
    await db.atomic((orm) => [
      // An expired key is forgotten first, in the same unit, so it can be claimed afresh.
      orm.delete(idempotencyKeys).where(and(rowKey(request.apiKeyId, request.key), lte(idempotencyKeys.expiresAt, at))),
      orm.insert(idempotencyKeys).values({
        apiKeyId: request.apiKeyId,
        key: request.key,
        requestHash: request.hash,
        requestPath: request.path,
        state: "in_flight",
        claimToken: token,
        lockedUntil,
        responseStatus: null,
        responseBody: null,
        createdAt: at,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
      }),
    ]);
    return { kind: "claimed", claim: { apiKeyId: request.apiKeyId, key: request.key, token } };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }

  const [row] = await db.orm.select().from(idempotencyKeys).where(rowKey(request.apiKeyId, request.key)).limit(1);
  if (!row) throw inFlight(); // released between our insert and this read: the client retries
  if (row.requestHash !== request.hash) {
    throw new ApiError(
      "idempotency_key_reused",
      "This Idempotency-Key was used with a different request (another operation or body). Use a new key for a new request.",
    );
  }
  if (row.state === "done" && row.responseStatus !== null && row.responseBody !== null) {
    return { kind: "replay", status: row.responseStatus, body: row.responseBody };
  }
  if (row.lockedUntil && row.lockedUntil > at) throw inFlight();

  // The request holding the claim died: take it over (a compare-and-set on its token, so only one retry does).
  const guardToken = newId("wt");
  try {
    await db.atomic((orm) => [
      orm
        .update(idempotencyKeys)
        .set({ claimToken: token, lockedUntil })
        .where(
          and(
            rowKey(request.apiKeyId, request.key),
            eq(idempotencyKeys.state, "in_flight"),
            row.claimToken === null ? sql`${idempotencyKeys.claimToken} IS NULL` : eq(idempotencyKeys.claimToken, row.claimToken),
          ),
        ),
      guardWhen(guardToken, sql`SELECT changes()`),
      releaseGuard(guardToken),
    ]);
  } catch {
    throw inFlight();
  }
  return { kind: "claimed", claim: { apiKeyId: request.apiKeyId, key: request.key, token } };
}

function inFlight(): ApiError {
  return new ApiError("idempotency_in_flight", "A request with this Idempotency-Key is still being processed. Retry in a moment.", {
    headers: { "retry-after": "1" },
  });
}

/** Guard tokens of completions carry this prefix (tests aim fault injection at the very last statement of a unit). */
export const COMPLETION_GUARD_PREFIX = "idg_";

/**
 * The statements that store the response — put them in the action's atomic
 * unit, last. They abort the unit unless this request still holds the claim.
 */
export function completeIdempotencyKey(orm: Orm, claim: Claim, status: number, body: string): Statement[] {
  const guardToken = newId(COMPLETION_GUARD_PREFIX.slice(0, -1));
  return [
    orm
      .update(idempotencyKeys)
      .set({ state: "done", responseStatus: status, responseBody: body, claimToken: null, lockedUntil: null })
      .where(and(rowKey(claim.apiKeyId, claim.key), eq(idempotencyKeys.state, "in_flight"), eq(idempotencyKeys.claimToken, claim.token))),
    guardWhen(guardToken, sql`SELECT changes()`),
    releaseGuard(guardToken),
  ];
}

/** Gives the key back (the request failed in a way a retry could fix). Only the claim holder's row is deleted. */
export async function releaseIdempotencyKey(db: Database, claim: Claim): Promise<void> {
  await db.atomic((orm) => [
    orm
      .delete(idempotencyKeys)
      .where(and(rowKey(claim.apiKeyId, claim.key), eq(idempotencyKeys.state, "in_flight"), eq(idempotencyKeys.claimToken, claim.token))),
  ]);
}

/** Whether this request still holds its claim (it may have been taken over after the lease). */
export async function holdsClaim(db: Database, claim: Claim): Promise<boolean> {
  const [row] = await db.orm
    .select({ token: idempotencyKeys.claimToken })
    .from(idempotencyKeys)
    .where(rowKey(claim.apiKeyId, claim.key))
    .limit(1);
  return row?.token === claim.token;
}

/** Deletes expired keys; run it from a schedule (a Cron Trigger on Workers, the CLI on Node). */
export async function purgeExpiredIdempotencyKeys(db: Database, now: Date): Promise<void> {
  await db.atomic((orm) => [orm.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now.toISOString()))]);
}
