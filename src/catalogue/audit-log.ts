/**
 * The audit log read back: who (key id) did what to which entity, newest first. Rows are written by the
 * operations themselves, in the same atomic unit as the change (`entries.ts`, `locales.ts`, `lib/keys.ts`,
 * `journeys/customers.ts`); this module only reads them.
 */
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Database } from "../db/client";
import { auditLog } from "../db/schema";

export interface AuditQuery {
  entityType?: string | undefined;
  entityKey?: string | undefined;
  /** The last row of the previous page (newest first: the page continues with older rows). */
  after?: { at: string; id: string } | null;
  limit: number;
}

/** Up to `limit` audit rows, newest first, with `detail` parsed back from its JSON text. */
export async function readAuditLog(db: Database, query: AuditQuery) {
  const { after } = query;
  const rows = await db.orm
    .select()
    .from(auditLog)
    .where(
      and(
        query.entityType ? eq(auditLog.entityType, query.entityType) : undefined,
        query.entityKey ? eq(auditLog.entityKey, query.entityKey) : undefined,
        after ? or(lt(auditLog.at, after.at), and(eq(auditLog.at, after.at), lt(auditLog.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(query.limit);
  return rows.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null }));
}
