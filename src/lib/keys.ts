/**
 * API keys: `unison_sk_` followed by 48 hex characters (192 random bits). The
 * recognisable prefix lets secret scanners find leaked keys. Only a SHA-256
 * hash is stored — a fast hash is right for high-entropy random keys.
 */

import { z } from "@hono/zod-openapi";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { type Database, prepared } from "../db/client";
import { apiKeys, auditLog } from "../db/schema";
import { sha256Hex } from "./digest";
import { newId } from "./ids";

export const SCOPES = [
  "catalog:read",
  "catalog:write",
  "catalog:publish",
  "actions:invoke",
  "customers:read",
  "customers:write",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];
export const ScopeSchema = z.enum(SCOPES);

export const KEY_PREFIX = "unison_sk_";
const KEY_PATTERN = /^unison_sk_[0-9a-f]{48}$/;

export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

export function hasScope(principal: Principal | null, scope: Scope): boolean {
  return !!principal && (principal.scopes.includes("admin") || principal.scopes.includes(scope));
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return [...buf].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_5f0c8d7e4b2a4f0e9a1c3b5d7e9f1a2b" }),
    name: z.string().openapi({ example: "Storefront (production)" }),
    start: z.string().openapi({ example: "unison_sk_3fa8", description: "The first characters of the key, to tell keys apart." }),
    scopes: z.array(ScopeSchema),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");
export type ApiKeyDto = z.infer<typeof ApiKeySchema>;

function toDto(row: typeof apiKeys.$inferSelect): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    start: row.start,
    scopes: JSON.parse(row.scopes) as Scope[],
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

/**
 * Creates a key and returns it in clear — the only time it is ever visible.
 *
 * @example
 * const { secret } = await createApiKey(db, { name: "ci", scopes: ["catalog:read"] }, new Date());
 */
export async function createApiKey(
  db: Database,
  input: { name: string; scopes: readonly Scope[] },
  now: Date,
  actorKeyId: string | null = null,
): Promise<{ key: ApiKeyDto; secret: string }> {
  const { row, secret } = await newKeyRow(input, now);
  await db.atomic((orm) => [
    orm.insert(apiKeys).values(row),
    orm.insert(auditLog).values({
      id: newId("aud"),
      at: row.createdAt,
      keyId: actorKeyId,
      action: "key.create",
      entityType: "key",
      entityKey: row.id,
      detail: JSON.stringify({ name: row.name, scopes: JSON.parse(row.scopes) }),
    }),
  ]);
  return { key: toDto(row), secret };
}

/** A new key's row (hash only) and its secret, without storing it. */
async function newKeyRow(input: { name: string; scopes: readonly Scope[] }, now: Date) {
  const secret = `${KEY_PREFIX}${randomHex(24)}`;
  const row = {
    id: newId("key"),
    name: input.name,
    start: secret.slice(0, KEY_PREFIX.length + 4),
    hash: await sha256Hex(secret),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    createdAt: now.toISOString(),
    revokedAt: null,
  };
  return { row, secret };
}

/**
 * A key as one SQL statement, for databases this process cannot reach (the first key of a D1
 * deployment: `wrangler d1 execute DB --remote --command "<sql>"`). Only the hash is in the SQL.
 */
export async function apiKeyInsertSql(
  input: { name: string; scopes: readonly Scope[] },
  now: Date,
): Promise<{ sql: string; secret: string; id: string }> {
  const { row, secret } = await newKeyRow(input, now);
  const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const sql = `INSERT INTO api_keys (id, name, start, hash, scopes, created_at, revoked_at) VALUES (${q(row.id)}, ${q(row.name)}, ${q(row.start)}, ${q(row.hash)}, ${q(row.scopes)}, ${q(row.createdAt)}, NULL);`;
  return { sql, secret, id: row.id };
}

/** Resolves a presented key to its principal; null when unknown or revoked (checked on every request). */
export async function authenticate(db: Database, presented: string): Promise<Principal | null> {
  if (!KEY_PATTERN.test(presented)) return null;
  const hash = await sha256Hex(presented);
  const [row] = await prepared(db, "active-key-by-hash", (orm) =>
    orm
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.hash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
      .limit(1)
      .prepare(),
  ).all({ hash });
  if (!row) return null;
  return { keyId: row.id, name: row.name, scopes: JSON.parse(row.scopes) as Scope[] };
}

export async function listApiKeys(db: Database): Promise<ApiKeyDto[]> {
  const rows = await db.orm.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), apiKeys.id);
  return rows.map(toDto);
}

/** Revokes a key; returns null when no such key exists. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Database, id: string, now: Date, actorKeyId: string | null = null): Promise<ApiKeyDto | null> {
  const [row] = await db.orm.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!row) return null;
  if (row.revokedAt) return toDto(row);
  const at = now.toISOString();
  await db.atomic((orm) => [
    orm
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))),
    orm.insert(auditLog).values({ id: newId("aud"), at, keyId: actorKeyId, action: "key.revoke", entityType: "key", entityKey: id }),
  ]);
  return toDto({ ...row, revokedAt: at });
}

export async function countApiKeys(db: Database): Promise<number> {
  const rows = await db.orm.select({ id: apiKeys.id }).from(apiKeys).limit(1);
  return rows.length;
}
