/**
 * SMS consent: a number that texted STOP gets nothing until it texts START (docs/channels.md, "SMS").
 * Read by the inbound SMS route and by staff replies; written by the inbound route's STOP and START.
 */
import { eq } from "drizzle-orm";
import type { Database, Orm } from "../db/client";
import { smsConsent } from "../db/schema";

/** Whether this number opted out of SMS. */
export async function smsOptedOut(db: Database, phone: string): Promise<boolean> {
  const [consent] = await db.orm.select().from(smsConsent).where(eq(smsConsent.phone, phone)).limit(1);
  return consent?.optedOut ?? false;
}

/** The statement recording a STOP (`optedOut`) or START, for the caller's atomic unit. */
export function setSmsConsent(orm: Orm, phone: string, optedOut: boolean, at: string) {
  return orm
    .insert(smsConsent)
    .values({ phone, optedOut, updatedAt: at })
    .onConflictDoUpdate({ target: smsConsent.phone, set: { optedOut, updatedAt: at } });
}
