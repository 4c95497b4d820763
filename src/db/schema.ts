/**
 * The canonical catalogue's tables. One schema for both runtimes: drizzle-kit
 * turns it into `migrations/*.sql`, applied by drizzle's migrator on Node and by
 * `wrangler d1 migrations apply` on D1.
 *
 * Content entities (products, messages, actions) share one shape: an `entries`
 * row holds the editors' draft document and its version; each publish freezes
 * the document into an immutable `revisions` row; the `published_*` tables are
 * query projections of the live revision that delivery reads (filters, keyset
 * pagination, FTS). Documents are validated by the zod schemas in
 * `src/catalogue/` before they reach these tables.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ENTITY_TYPES = ["product", "message", "action"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const ENTRY_STATUSES = ["draft", "published", "archived"] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export const locales = sqliteTable("locales", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  /** Next locale in the fallback chain; the default locale ends every chain. */
  fallback: text("fallback"),
  isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
  currency: text("currency").notNull(),
  position: integer("position").notNull().default(0),
  archived: integer("archived", { mode: "boolean" }).notNull().default(false),
  version: integer("version").notNull().default(1),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const entries = sqliteTable(
  "entries",
  {
    id: text("id").primaryKey(),
    type: text("type", { enum: ENTITY_TYPES }).notNull(),
    /** The public handle: a product's slug, a message's or an action's key. */
    key: text("key").notNull(),
    status: text("status", { enum: ENTRY_STATUSES }).notNull(),
    /** The editors' working copy, as JSON. */
    draft: text("draft").notNull(),
    version: integer("version").notNull().default(1),
    /** Set by every write; the atomic-write guard checks it to abort a batch whose compare-and-set lost. */
    writeToken: text("write_token").notNull(),
    publishedRevisionId: text("published_revision_id"),
    lastRevisionNumber: integer("last_revision_number").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("entries_type_key").on(t.type, t.key), index("entries_type_status").on(t.type, t.status, t.key)],
);

export const revisions = sqliteTable(
  "revisions",
  {
    id: text("id").primaryKey(),
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
    number: integer("number").notNull(),
    /** The frozen document (with its overrides) as JSON. */
    document: text("document").notNull(),
    note: text("note"),
    /** Which revision this one restored, for rollbacks. */
    restoredFrom: integer("restored_from"),
    createdAt: text("created_at").notNull(),
    createdBy: text("created_by"),
  },
  (t) => [uniqueIndex("revisions_entry_number").on(t.entryId, t.number)],
);

/** Delivery's projection of live products: the columns lists filter, sort and page on. */
export const publishedProducts = sqliteTable(
  "published_products",
  {
    entryId: text("entry_id")
      .primaryKey()
      .references(() => entries.id),
    slug: text("slug").notNull(),
    revisionId: text("revision_id")
      .notNull()
      .references(() => revisions.id),
    /** Best availability over the variants (in_stock > low_stock > preorder > out_of_stock), kept in step with inventory. */
    availability: text("availability").notNull(),
    publishedAt: text("published_at").notNull(),
  },
  (t) => [uniqueIndex("published_products_slug").on(t.slug), index("published_products_availability").on(t.availability, t.slug)],
);

export const publishedProductCategories = sqliteTable(
  "published_product_categories",
  {
    category: text("category").notNull(),
    slug: text("slug").notNull(),
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
  },
  (t) => [primaryKey({ columns: [t.category, t.slug] }), index("published_product_categories_entry").on(t.entryId)],
);

export const publishedMessages = sqliteTable(
  "published_messages",
  {
    entryId: text("entry_id")
      .primaryKey()
      .references(() => entries.id),
    key: text("key").notNull(),
    kind: text("kind").notNull(),
    revisionId: text("revision_id")
      .notNull()
      .references(() => revisions.id),
    startsAt: text("starts_at"),
    endsAt: text("ends_at"),
    publishedAt: text("published_at").notNull(),
  },
  (t) => [uniqueIndex("published_messages_key").on(t.key), index("published_messages_kind").on(t.kind, t.key)],
);

export const publishedActions = sqliteTable(
  "published_actions",
  {
    entryId: text("entry_id")
      .primaryKey()
      .references(() => entries.id),
    key: text("key").notNull(),
    revisionId: text("revision_id")
      .notNull()
      .references(() => revisions.id),
    publishedAt: text("published_at").notNull(),
  },
  (t) => [uniqueIndex("published_actions_key").on(t.key)],
);

/**
 * Stock is operational data, not editorial content: checkouts change it without
 * a publish, so it lives beside the documents, one row per SKU, with its own version.
 */
export const inventory = sqliteTable(
  "inventory",
  {
    sku: text("sku").primaryKey(),
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
    stock: integer("stock").notNull(),
    /** Copied from the published variant at publish time: availability is computed from these in SQL. */
    listed: integer("listed", { mode: "boolean" }).notNull().default(false),
    lowStockThreshold: integer("low_stock_threshold").notNull().default(5),
    backorder: text("backorder", { enum: ["deny", "preorder"] })
      .notNull()
      .default("deny"),
    version: integer("version").notNull().default(1),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("inventory_entry").on(t.entryId), check("inventory_stock_non_negative", sql`${t.stock} >= 0`)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    start: text("start").notNull(),
    /** SHA-256 of the whole key, hex. The key itself is never stored. */
    hash: text("hash").notNull(),
    scopes: text("scopes").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: text("at").notNull(),
    keyId: text("key_id"),
    /** e.g. `product.update`, `product.publish`, `key.revoke`. */
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityKey: text("entity_key").notNull(),
    fromVersion: integer("from_version"),
    toVersion: integer("to_version"),
    fromRevision: integer("from_revision"),
    toRevision: integer("to_revision"),
    detail: text("detail"),
  },
  (t) => [index("audit_log_entity").on(t.entityType, t.entityKey, t.at)],
);

/**
 * A batch of statements on D1 cannot branch, so a compare-and-set that matched no
 * row must make a later statement fail: the guard inserts the number of rows that
 * carry this write's token, and the CHECK aborts the whole batch when it is not 1.
 */
export const writeGuards = sqliteTable(
  "write_guards",
  {
    token: text("token").primaryKey(),
    ok: integer("ok").notNull(),
  },
  (t) => [check("write_guards_ok", sql`${t.ok} = 1`)],
);
