/**
 * Availability, worded once. A variant's availability follows from its stock,
 * its low-stock threshold and its backorder policy; a product's is the best of
 * its listed variants. The same rule exists twice — in TypeScript for views and
 * in SQL for the delivery projection, which must stay correct under concurrent
 * stock changes — and a test holds the two together.
 */
import { sql } from "drizzle-orm";
import type { Availability } from "./documents";

const RANK: Record<Availability, number> = { out_of_stock: 0, preorder: 1, low_stock: 2, in_stock: 3 };
const BY_RANK: Availability[] = ["out_of_stock", "preorder", "low_stock", "in_stock"];

export function variantAvailability(stock: number, lowStockThreshold: number, backorder: "deny" | "preorder"): Availability {
  if (stock > lowStockThreshold) return "in_stock";
  if (stock > 0) return "low_stock";
  return backorder === "preorder" ? "preorder" : "out_of_stock";
}

export function bestAvailability(values: Iterable<Availability>): Availability {
  let best = 0;
  for (const v of values) best = Math.max(best, RANK[v]);
  return BY_RANK[best] as Availability;
}

/** SQL for a product's availability from its listed inventory rows (mirrors the two functions above). */
export function productAvailabilitySql(entryId: string) {
  return sql`(SELECT CASE COALESCE(MAX(CASE
      WHEN stock > low_stock_threshold THEN 3
      WHEN stock > 0 THEN 2
      WHEN backorder = 'preorder' THEN 1
      ELSE 0 END), 0)
    WHEN 3 THEN 'in_stock' WHEN 2 THEN 'low_stock' WHEN 1 THEN 'preorder' ELSE 'out_of_stock' END
    FROM inventory WHERE entry_id = ${entryId} AND listed = 1)`;
}

/** SQL for a product's stock as its delivery row keeps it: a JSON object, SKU → units, of its listed inventory rows. */
export function productStockSql(entryId: string) {
  return sql`(SELECT json_group_object(sku, stock) FROM inventory WHERE entry_id = ${entryId} AND listed = 1)`;
}

/**
 * Refreshes the delivery projection's availability and stock for one product; add it to every atomic
 * write that changes stock, so a read of the product (one row, migrations/0014) never sees other units.
 */
export function refreshAvailabilitySql(entryId: string) {
  return sql`UPDATE published_products SET availability = ${productAvailabilitySql(entryId)}, stock = ${productStockSql(entryId)}
    WHERE entry_id = ${entryId}`;
}
