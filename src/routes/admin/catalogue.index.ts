/** Catalogue-wide editors' operations: locales, keys, the audit log. */
import { z } from "@hono/zod-openapi";
import { readAuditLog } from "../../catalogue/audit-log";
import { LocaleCode, LocaleDoc } from "../../catalogue/documents";
import { requireVersion } from "../../catalogue/entries";
import { archiveLocale, LocaleDtoSchema, listAllLocales, loadLocales, localeDto, saveLocale } from "../../catalogue/locales";
import type { Router } from "../../lib/create-router";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { ApiError, errorResponses } from "../../lib/errors";
import { ApiKeySchema, createApiKey, listApiKeys, revokeApiKey, ScopeSchema } from "../../lib/keys";
import { defineRoute } from "../../lib/route";
import { AuditEntrySchema, etagHeader, ifMatchHeader } from "./entries.routes";

const tag = "Catalogue (editors)";

const listLocalesAdmin = defineRoute({
  method: "get",
  path: "/v1/admin/locales",
  tags: [tag],
  operationId: "listAdminLocales",
  summary: "List locales",
  description: "Every configured locale with its version (for If-Match).",
  scope: "catalog:write",
  request: {},
  responses: {
    200: {
      description: "Locales.",
      content: { "application/json": { schema: z.object({ data: z.array(LocaleDtoSchema) }).openapi("AdminLocaleList") } },
    },
  },
});

const createLocale = defineRoute({
  method: "post",
  path: "/v1/admin/locales",
  tags: [tag],
  operationId: "createLocale",
  summary: "Add a locale",
  description: "Adds a locale with its fallback and currency. Making it the default moves the flag from the previous default.",
  scope: "catalog:write",
  request: { body: { required: true, content: { "application/json": { schema: LocaleDoc } } } },
  responses: {
    201: { description: "Created.", headers: etagHeader, content: { "application/json": { schema: LocaleDtoSchema } } },
    ...errorResponses(409, 422),
  },
});

const LocalePatch = z
  .strictObject({
    name: z.string().min(1).max(60).optional(),
    fallback: LocaleCode.nullable().optional(),
    default: z.literal(true).optional().openapi({ description: "Make this the default locale." }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .openapi("LocalePatch", { example: { name: "Français (France)", fallback: "en" } });

const updateLocale = defineRoute({
  method: "patch",
  path: "/v1/admin/locales/{code}",
  tags: [tag],
  operationId: "updateLocale",
  summary: "Update a locale",
  description: "Changes a locale's name, fallback, currency, or makes it the default. Needs `If-Match`.",
  scope: "catalog:write",
  request: {
    params: z.object({ code: LocaleCode }),
    headers: ifMatchHeader,
    body: {
      required: true,
      content: { "application/merge-patch+json": { schema: LocalePatch }, "application/json": { schema: LocalePatch } },
    },
  },
  responses: {
    200: { description: "Updated.", headers: etagHeader, content: { "application/json": { schema: LocaleDtoSchema } } },
    ...errorResponses(404, 409, 412, 422, 428),
  },
});

const archiveLocaleRoute = defineRoute({
  method: "post",
  path: "/v1/admin/locales/{code}/archive",
  tags: [tag],
  operationId: "archiveLocale",
  summary: "Archive a locale",
  description:
    "Delivery stops offering the locale (requests for it get 400); documents keep their text in it. Not the default locale, nor one another locale falls back to. Needs `If-Match`.",
  scope: "catalog:write",
  request: { params: z.object({ code: LocaleCode }), headers: ifMatchHeader },
  responses: {
    200: { description: "Archived.", headers: etagHeader, content: { "application/json": { schema: LocaleDtoSchema } } },
    ...errorResponses(404, 409, 412, 428),
  },
});

const listKeys = defineRoute({
  method: "get",
  path: "/v1/admin/keys",
  tags: ["Keys"],
  operationId: "listKeys",
  summary: "List API keys",
  description: "Keys with their scopes. Only the first characters of each key are shown; the key itself is never stored.",
  scope: "admin",
  request: {},
  responses: {
    200: {
      description: "Keys.",
      content: { "application/json": { schema: z.object({ data: z.array(ApiKeySchema) }).openapi("ApiKeyList") } },
    },
  },
});

const createKey = defineRoute({
  method: "post",
  path: "/v1/admin/keys",
  tags: ["Keys"],
  operationId: "createKey",
  summary: "Create an API key",
  description: "Returns the key once, in `secret`. Store it now: only its hash is kept.",
  scope: "admin",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({
              name: z.string().trim().min(1).max(100).openapi({ example: "Storefront" }),
              scopes: z.array(ScopeSchema).min(1),
            })
            .openapi("ApiKeyCreate"),
        },
      },
    },
  },
  responses: {
    201: {
      description: "Created.",
      content: {
        "application/json": {
          schema: z.object({ key: ApiKeySchema, secret: z.string().openapi({ example: "unison_sk_3fa8…" }) }).openapi("ApiKeyCreated"),
        },
      },
    },
  },
});

const revokeKey = defineRoute({
  method: "delete",
  path: "/v1/admin/keys/{id}",
  tags: ["Keys"],
  operationId: "revokeKey",
  summary: "Revoke an API key",
  description: "Effective on the next request. Revoking twice is harmless.",
  scope: "admin",
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: { 200: { description: "Revoked.", content: { "application/json": { schema: ApiKeySchema } } }, ...errorResponses(404) },
});

const listAudit = defineRoute({
  method: "get",
  path: "/v1/admin/audit",
  tags: [tag],
  operationId: "listAudit",
  summary: "The audit log",
  description: "Who (key id) changed what, when, from which version / revision to which — newest first.",
  scope: "catalog:write",
  request: {
    query: z.object({
      entityType: z.string().max(32).optional().openapi({ example: "product" }),
      entityKey: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: {
      description: "Entries.",
      content: {
        "application/json": {
          schema: z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).openapi("AuditPage"),
        },
      },
    },
  },
});

export function registerCatalogueAdminRoutes(app: Router) {
  app.openapi(listLocalesAdmin, async (c) => {
    const set = await loadLocales(c.get("db"));
    c.header("cache-control", "no-store");
    return c.json({ data: set.rows.map((r) => localeDto(set, r)) }, 200);
  });

  app.openapi(createLocale, async (c) => {
    const db = c.get("db");
    const row = await saveLocale(db, c.req.valid("json"), null, c.get("clock")(), c.get("principal")?.keyId ?? null);
    const set = await loadLocales(db);
    c.header("etag", `"v${row.version}"`);
    return c.json(localeDto(set, row), 201);
  });

  app.openapi(updateLocale, async (c) => {
    const db = c.get("db");
    const { code } = c.req.valid("param");
    const existing = (await listAllLocales(db)).find((l) => l.code === code);
    if (!existing) throw new ApiError("not_found", `No locale "${code}".`);
    const version = requireVersion(c.req.header("if-match"), existing);
    const patch = c.req.valid("json");
    const row = await saveLocale(
      db,
      {
        code,
        name: patch.name ?? existing.name,
        fallback: patch.fallback === undefined ? existing.fallback : patch.fallback,
        default: patch.default ?? existing.isDefault,
        currency: patch.currency ?? existing.currency,
      },
      version,
      c.get("clock")(),
      c.get("principal")?.keyId ?? null,
    );
    const set = await loadLocales(db);
    c.header("etag", `"v${row.version}"`);
    return c.json(localeDto(set, row), 200);
  });

  app.openapi(archiveLocaleRoute, async (c) => {
    const db = c.get("db");
    const { code } = c.req.valid("param");
    const existing = (await listAllLocales(db)).find((l) => l.code === code && !l.archived);
    if (!existing) throw new ApiError("not_found", `No active locale "${code}".`);
    const version = requireVersion(c.req.header("if-match"), existing);
    const row = await archiveLocale(db, code, version, c.get("clock")(), c.get("principal")?.keyId ?? null);
    const set = await loadLocales(db);
    c.header("etag", `"v${row.version}"`);
    return c.json({ ...localeDto(set, row), fallbackChain: [row.code] }, 200);
  });

  app.openapi(listKeys, async (c) => {
    c.header("cache-control", "no-store");
    return c.json({ data: await listApiKeys(c.get("db")) }, 200);
  });

  app.openapi(createKey, async (c) => {
    const created = await createApiKey(c.get("db"), c.req.valid("json"), c.get("clock")(), c.get("principal")?.keyId ?? null);
    c.header("cache-control", "no-store");
    return c.json(created, 201);
  });

  app.openapi(revokeKey, async (c) => {
    const key = await revokeApiKey(c.get("db"), c.req.valid("param").id, c.get("clock")(), c.get("principal")?.keyId ?? null);
    if (!key) throw new ApiError("not_found", "No such key.");
    return c.json(key, 200);
  });

  app.openapi(listAudit, async (c) => {
    const q = c.req.valid("query");
    const after = q.cursor
      ? decodeCursor(
          "audit",
          q.cursor,
          (v): v is { a: string; i: string; f: string } =>
            typeof v.a === "string" && typeof v.i === "string" && v.f === `${q.entityType ?? ""}|${q.entityKey ?? ""}`,
        )
      : null;
    const rows = await readAuditLog(c.get("db"), {
      entityType: q.entityType,
      entityKey: q.entityKey,
      after: after ? { at: after.a, id: after.i } : null,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    c.header("cache-control", "no-store");
    return c.json(
      {
        data: page,
        nextCursor:
          rows.length > q.limit && last
            ? encodeCursor("audit", { a: last.at, i: last.id, f: `${q.entityType ?? ""}|${q.entityKey ?? ""}` })
            : null,
      },
      200,
    );
  });
}
