/**
 * How journey writes are shaped for D1, which has no interactive transactions:
 * a handler first reads, then returns a {@link Plan} — the statements to apply
 * as one atomic unit and the result they produce. Compare-and-set conditions
 * live inside the statements (a cart's or an order's version, a SKU's stock),
 * so when someone else wrote in between the unit aborts and the handler plans
 * again from fresh reads (see `invoke.ts`).
 */
import type { ViewContext } from "../catalogue/products";
import type { Database, Orm, Statement } from "../db/client";
import type { JourneyChannel } from "./channels";
import type { CustomerRow } from "./customers";

export interface ActionContext {
  db: Database;
  now: Date;
  /** The channel the customer is using for this request. */
  channel: JourneyChannel;
  customer: CustomerRow;
  cartId: string;
  /** Locale, fallback chain and public base URL: what views are built with. */
  view: ViewContext;
  keyId: string | null;
}

export interface Plan<R> {
  /** The action's result, as it will be once the statements commit. */
  result: R;
  /** The writes, applied atomically with the timeline and the idempotency record. */
  statements(orm: Orm): Statement[];
  /** One line for the timeline, e.g. `Added 2 × MER-CREW-NAVY-M`. */
  summary: string;
  /** Words for the reply after the action's confirmation: a link, an order number, a total. */
  detail?: string;
}

/** A plan that writes nothing (reads still go on the timeline). */
export function readOnly<R>(result: R, summary: string, detail?: string): Plan<R> {
  return { result, statements: () => [], summary, ...(detail === undefined ? {} : { detail }) };
}
