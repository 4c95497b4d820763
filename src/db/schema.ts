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
import { check, customType, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

/**
 * The delivery options editors define in `content/delivery.json` (no drafts: like locales, an import
 * applies them). `document` is the canonical option (see `src/catalogue/delivery.ts`); `enabled` and
 * `position` are copied out so delivery reads filter and order without parsing.
 */
export const deliveryOptions = sqliteTable("delivery_options", {
  key: text("key").primaryKey(),
  document: text("document").notNull(),
  position: integer("position").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  version: integer("version").notNull().default(1),
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

/** Delivery's projection of live products: the columns lists filter, sort and page on, and everything a read of one needs. */
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
    /** The live revision's number and document (migrations/0014): a read by slug is this one row. */
    revisionNumber: integer("revision_number").notNull().default(0),
    document: text("document").notNull().default("{}"),
    /** The listed SKUs' stock as a JSON object, SKU → units, kept in step with inventory like `availability`. */
    stock: text("stock").notNull().default("{}"),
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

/**
 * A live product's delivery answer per locale, ready to send (migrations/0015, src/catalogue/answers.ts): the JSON
 * `GET /v1/products/{slug}` answers, with the base URL left as a mark. `basis` names the locale set it was built
 * with. Triggers on `published_products` delete a product's answers whenever its row is written, so an answer here
 * is never older than the row it was built from, and mark the product due in `product_answers_due`.
 */
export const productAnswers = sqliteTable(
  "product_answers",
  {
    slug: text("slug").notNull(),
    locale: text("locale").notNull(),
    basis: text("basis").notNull(),
    body: text("body").notNull(),
    /** What the stored page parts were built from (migrations/0016): '' built without a renderer, NULL marked due. */
    pageBasis: text("page_basis").default(""),
    /** The product page's parts (`ProductPageParts` as JSON, base URL as a mark), or null: rendered whole. */
    page: text("page"),
  },
  (t) => [primaryKey({ columns: [t.slug, t.locale] }), index("product_answers_page_basis").on(t.pageBasis)],
);

/** Products whose answers are to be built again (migrations/0015): `mark` changes with every write of the row. */
export const productAnswersDue = sqliteTable("product_answers_due", {
  entryId: text("entry_id").primaryKey(),
  mark: text("mark").notNull(),
});

/** A column without a declared type (SQLite: no affinity), so text and integers keep their own kind and order. */
const untyped = customType<{ data: string | number; notNull: true }>({ dataType: () => "" });

/**
 * The storefront's sort orders, one row per live product, list and order (migrations/0013): `category`
 * '' is the whole catalogue; `sort` is `title:<locale>`, `price:<currency>` or `newest`; a page is a
 * walk of the primary key. Written by `productKind.project` (src/catalogue/products.ts, `sortKeys`).
 */
export const productSortKeys = sqliteTable(
  "product_sort_keys",
  {
    category: text("category").notNull(),
    sort: text("sort").notNull(),
    /** A title (compared with NOCASE), a price in minor units, or minus the publication time in ms. */
    sortKey: untyped("sort_key").notNull(),
    slug: text("slug").notNull(),
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
  },
  (t) => [primaryKey({ columns: [t.category, t.sort, t.sortKey, t.slug] }), index("product_sort_keys_entry").on(t.entryId)],
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

// ---------------------------------------------------------------------------
// Journeys: customers, their identities on channels, carts, orders, the
// cross-channel timeline, handoffs, agent cases — operational data written by
// actions (`src/journeys/`), never by editors.

/** Where a customer can be reached; each maps to a renderer (`web`, `mobile`, `sms`, or `chat` for the messaging apps). */
export const JOURNEY_CHANNELS = ["sms", "whatsapp", "slack", "telegram", "messenger", "web", "mobile", "agent"] as const;
export type JourneyChannel = (typeof JOURNEY_CHANNELS)[number];

export const ORDER_STATUSES = ["placed", "cancelled", "return_requested", "returned"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const INTERACTION_DIRECTIONS = ["inbound", "outbound", "action"] as const;
export type InteractionDirection = (typeof INTERACTION_DIRECTIONS)[number];

export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    /** The channel the customer was first seen on (acquisition, for insights). */
    firstChannel: text("first_channel", { enum: JOURNEY_CHANNELS }).notNull(),
    createdAt: text("created_at").notNull(),
    /** Optional profile, set by staff or at checkout (src/journeys/customers.ts `setCustomerProfile`). */
    name: text("name"),
    /** The name folded for search: lower case, without diacritics. */
    nameKey: text("name_key"),
    /** Trimmed and lower-cased. */
    email: text("email"),
    updatedAt: text("updated_at"),
  },
  (t) => [index("customers_email").on(t.email)],
);

/** A customer's handle on one channel (a phone number for SMS, a Slack user id, a web session …). One handle, one customer. */
export const identities = sqliteTable(
  "identities",
  {
    id: text("id").primaryKey(),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    externalId: text("external_id").notNull(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    createdAt: text("created_at").notNull(),
    /** When a handoff (or a request naming both) attached this identity to its customer. */
    linkedAt: text("linked_at"),
  },
  (t) => [uniqueIndex("identities_channel_external").on(t.channel, t.externalId), index("identities_customer").on(t.customerId)],
);

/** The customer's one open cart, created with the customer. Every change bumps `version` (checkout compares and sets it). */
export const carts = sqliteTable(
  "carts",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    version: integer("version").notNull().default(1),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("carts_customer").on(t.customerId)],
);

/** One line per SKU; the unit price and currency are captured when the line is first added. */
export const cartLines = sqliteTable(
  "cart_lines",
  {
    id: text("id").primaryKey(),
    cartId: text("cart_id")
      .notNull()
      .references(() => carts.id),
    sku: text("sku").notNull(),
    /** The product entry and slug at add time: to find the live price and availability again. */
    entryId: text("entry_id").notNull(),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    quantity: integer("quantity").notNull(),
    unitPrice: integer("unit_price").notNull(),
    currency: text("currency").notNull(),
    addedAt: text("added_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("cart_lines_cart_sku").on(t.cartId, t.sku), check("cart_lines_quantity", sql`${t.quantity} BETWEEN 1 AND 999`)],
);

/** Amounts in minor units. Payment is out of scope: `amount_due` is what the customer owes. */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    currency: text("currency").notNull(),
    subtotal: integer("subtotal").notNull(),
    total: integer("total").notNull(),
    amountDue: integer("amount_due").notNull(),
    itemCount: integer("item_count").notNull(),
    /** The delivery option chosen at checkout (its key, its name in the order's locale, its price then). */
    deliveryOption: text("delivery_option"),
    deliveryName: text("delivery_name"),
    deliveryPrice: integer("delivery_price").notNull().default(0),
    deliveryMinDays: integer("delivery_min_days"),
    deliveryMaxDays: integer("delivery_max_days"),
    /** The delivery address as JSON (`ShippingAddress`); null for pick-up and orders placed before addresses. */
    shippingAddress: text("shipping_address"),
    version: integer("version").notNull().default(1),
    placedAt: text("placed_at").notNull(),
    cancelledAt: text("cancelled_at"),
    returnRequestedAt: text("return_requested_at"),
    returnReason: text("return_reason"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("orders_number").on(t.number), index("orders_customer").on(t.customerId, t.id)],
);

export const orderLines = sqliteTable(
  "order_lines",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    position: integer("position").notNull(),
    sku: text("sku").notNull(),
    entryId: text("entry_id").notNull(),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    quantity: integer("quantity").notNull(),
    unitPrice: integer("unit_price").notNull(),
    lineTotal: integer("line_total").notNull(),
  },
  (t) => [uniqueIndex("order_lines_order_position").on(t.orderId, t.position)],
);

/**
 * docs/architecture.md, "Idempotency": one row per (API key, Idempotency-Key). Claimed `in_flight`
 * by an INSERT that fails on conflict; set `done` with the response in the same
 * atomic unit as the business change, by the holder of `claim_token` only.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    apiKeyId: text("api_key_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the operation and its canonical body: a different body under the same key is refused. */
    requestHash: text("request_hash").notNull(),
    requestPath: text("request_path").notNull(),
    state: text("state", { enum: ["in_flight", "done"] }).notNull(),
    claimToken: text("claim_token"),
    /** A claim whose request died is taken over after this lease. */
    lockedUntil: text("locked_until"),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: text("created_at").notNull(),
    /** At least 24 hours after creation; after it the key may be used afresh. */
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index("idempotency_keys_expires").on(t.expiresAt)],
);

/**
 * The customer's timeline across channels. `seq` (SQLite's rowid, assigned at
 * commit on the single writer) orders it strictly even when several isolates
 * write in the same millisecond; `id` is the public handle.
 */
export const interactions = sqliteTable(
  "interactions",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    direction: text("direction", { enum: INTERACTION_DIRECTIONS }).notNull(),
    actionKey: text("action_key"),
    summary: text("summary").notNull(),
    /** JSON: the action's input and outcome, or the message sent. */
    payload: text("payload"),
    at: text("at").notNull(),
  },
  (t) => [uniqueIndex("interactions_id").on(t.id), index("interactions_customer").on(t.customerId, t.seq)],
);

/** A short, single-use, expiring code that moves a customer's journey to another channel. */
export const handoffs = sqliteTable(
  "handoffs",
  {
    code: text("code").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    fromChannel: text("from_channel", { enum: JOURNEY_CHANNELS }).notNull(),
    toChannel: text("to_channel", { enum: JOURNEY_CHANNELS }).notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    redeemedAt: text("redeemed_at"),
    redeemedIdentityId: text("redeemed_identity_id"),
  },
  (t) => [index("handoffs_customer").on(t.customerId)],
);

/** An agent case: the customer's cross-channel timeline and cart as they were when the case opened. One open case per customer. */
export const cases = sqliteTable(
  "cases",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    status: text("status", { enum: ["open", "closed"] }).notNull(),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    message: text("message"),
    /** JSON: `{ timeline, cart }`. */
    snapshot: text("snapshot").notNull(),
    openedAt: text("opened_at").notNull(),
    closedAt: text("closed_at"),
    closedBy: text("closed_by"),
    resolution: text("resolution"),
  },
  (t) => [
    uniqueIndex("cases_one_open_per_customer").on(t.customerId).where(sql`status = 'open'`),
    index("cases_status").on(t.status, t.id),
  ],
);

/** "Notify me when it is back in stock": one request per customer and SKU until it is notified. */
export const stockNotifications = sqliteTable(
  "stock_notifications",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    sku: text("sku").notNull(),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    createdAt: text("created_at").notNull(),
    notifiedAt: text("notified_at"),
  },
  (t) => [uniqueIndex("stock_notifications_customer_sku").on(t.customerId, t.sku), index("stock_notifications_sku").on(t.sku)],
);

export const ratings = sqliteTable(
  "ratings",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    orderId: text("order_id").references(() => orders.id),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    score: integer("score").notNull(),
    comment: text("comment"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("ratings_channel").on(t.channel, t.createdAt), check("ratings_score", sql`${t.score} BETWEEN 1 AND 5`)],
);

/** Answers to "How likely are you to recommend …?" (0–10), for NPS per channel. */
export const npsAnswers = sqliteTable(
  "nps_answers",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    channel: text("channel", { enum: JOURNEY_CHANNELS }).notNull(),
    score: integer("score").notNull(),
    comment: text("comment"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("nps_answers_channel").on(t.channel, t.createdAt), check("nps_answers_score", sql`${t.score} BETWEEN 0 AND 10`)],
);

/**
 * SMS consent per phone number (CTIA / Twilio compliance words). A number that
 * sent STOP is never sent anything until it sends START again.
 */
export const smsConsent = sqliteTable("sms_consent", {
  phone: text("phone").primaryKey(),
  optedOut: integer("opted_out", { mode: "boolean" }).notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * Outbound webhook endpoints (Standard Webhooks). The signing secret is kept
 * as issued (`whsec_…`): signing needs it, so it cannot be hashed like an API
 * key; it is shown once, at creation.
 */
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description"),
  /** JSON array of event types, or `["*"]`. */
  events: text("events").notNull(),
  secret: text("secret").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  /** Why it stopped, when Unison disabled it (e.g. the receiver answered 410 Gone). */
  disabledReason: text("disabled_reason"),
  version: integer("version").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * Catalogue events waiting to be fanned out to endpoints: triggers on
 * `audit_log` (migration 0005) and on `published_products.availability`
 * (migration 0008) write one row in the same transaction as the change they
 * report, so no change is ever missed or invented. The dispatcher turns rows
 * into deliveries and deletes them.
 */
export const webhookEvents = sqliteTable("webhook_events", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  auditId: text("audit_id").notNull(),
  action: text("action").notNull(),
  entityType: text("entity_type").notNull(),
  entityKey: text("entity_key").notNull(),
  toRevision: integer("to_revision"),
  toVersion: integer("to_version"),
  keyId: text("key_id"),
  at: text("at").notNull(),
  /** JSON the event carries besides the entity (an availability change: `{ from, to }`). */
  detail: text("detail"),
});

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed", "abandoned"] as const;

/**
 * The columns every outbox shares (`claimDue` in db/client.ts relies on them): a
 * `pending` row is due at `next_attempt_at`, and while one tick sends it,
 * `lease_until` keeps the others off it.
 */
function outboxColumns<S extends readonly [string, ...string[]]>(statuses: S) {
  return {
    status: text("status", { enum: statuses }).notNull(),
    attempts: integer("attempts").notNull(),
    nextAttemptAt: text("next_attempt_at"),
    leaseUntil: text("lease_until"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: text("created_at").notNull(),
  };
}

/** One message to one endpoint; its id is the `webhook-id`, the same on every attempt. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The event's audit id (one delivery per endpoint and event, however many dispatchers run). */
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    /** The exact bytes signed and sent on every attempt. */
    payload: text("payload").notNull(),
    ...outboxColumns(WEBHOOK_DELIVERY_STATUSES),
    deliveredAt: text("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_endpoint").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_finished").on(t.status, t.createdAt),
  ],
);

export const REPLY_OUTBOX_STATUSES = ["pending", "sent", "failed"] as const;

/**
 * Replies that are sent after the webhook that caused them is answered:
 * WhatsApp replies go to the Cloud API (`POST /{phone-number-id}/messages`),
 * Slack button replies to the interaction's `response_url`; agents' replies to
 * cases to the customer's channel (SMS, WhatsApp, Telegram, Slack, Messenger). Queued in the same
 * atomic write as the reply's timeline record; sent and retried by the
 * outbound tick (src/inbound/outbox.ts).
 */
export const replyOutbox = sqliteTable(
  "reply_outbox",
  {
    id: text("id").primaryKey(),
    /** The platform's id for what is answered (a redelivered webhook queues nothing twice). */
    key: text("key").notNull(),
    channel: text("channel", { enum: ["whatsapp", "slack", "sms", "telegram", "messenger"] }).notNull(),
    /**
     * WhatsApp: the business phone number id that received the message; Slack: the response_url, or
     * `chat.postMessage` for an agent's message; SMS: the Twilio number (or Messaging Service) sent from;
     * Telegram: `sendMessage`; Messenger: `me/messages`.
     */
    target: text("target").notNull(),
    /** The exact JSON posted. */
    payload: text("payload").notNull(),
    ...outboxColumns(REPLY_OUTBOX_STATUSES),
    sentAt: text("sent_at"),
  },
  (t) => [uniqueIndex("reply_outbox_key").on(t.key), index("reply_outbox_due").on(t.status, t.nextAttemptAt)],
);

export const ACP_SESSION_STATES = ["open", "completed", "canceled"] as const;

/**
 * Agentic Commerce Protocol checkout sessions (src/acp/checkout.ts). A session
 * is a window on the customer's one cart: its line items are the cart's lines,
 * and completing it places the order through the same checkout every channel
 * uses. Kept here: what the cart does not hold (the buyer, the fulfillment
 * details, the option chosen) and what became of it (the order). Order events
 * for these orders are queued by triggers (migration 0011).
 */
export const acpCheckoutSessions = sqliteTable(
  "acp_checkout_sessions",
  {
    id: text("id").primaryKey(),
    /** The API key that created it; only that key reads or changes it. */
    apiKeyId: text("api_key_id").notNull(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    status: text("status", { enum: ACP_SESSION_STATES }).notNull(),
    currency: text("currency").notNull(),
    locale: text("locale").notNull(),
    /** JSON: the ACP Buyer. */
    buyer: text("buyer"),
    /** JSON: the ACP FulfillmentDetails (name, phone, email, address). */
    fulfillmentDetails: text("fulfillment_details"),
    fulfillmentOptionId: text("fulfillment_option_id"),
    orderId: text("order_id").references(() => orders.id),
    /** JSON: the payment provider's record of the authorization (no card data). */
    payment: text("payment"),
    version: integer("version").notNull().default(1),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("acp_checkout_sessions_customer").on(t.customerId), uniqueIndex("acp_checkout_sessions_order").on(t.orderId)],
);
