/**
 * The editors' API for one entity kind, generated per kind (products, messages,
 * actions) so each gets its own typed, documented operations.
 */
import { z } from "@hono/zod-openapi";
import { CHANNELS, LocaleCode } from "../../catalogue/documents";
import { errorResponses } from "../../lib/errors";
import { defineRoute } from "../../lib/route";

export interface KindSpec {
  /** `products`, `messages`, `actions` */
  plural: string;
  /** `Product` */
  singular: string;
  /** Name of the path parameter: `slug` or `key`. */
  param: "slug" | "key";
  paramSchema: z.ZodString;
  tag: string;
  document: z.ZodTypeAny;
  create: z.ZodTypeAny;
  patch: z.ZodTypeAny;
  fields: readonly string[];
}

export const ifMatchHeader = z.object({
  "if-match": z
    .string()
    .optional()
    .openapi({ description: 'The ETag you last read, e.g. `"v3"`. Required: without it 428, stale 412.', example: '"v3"' }),
});

export const etagHeader = {
  ETag: { description: 'The entity\'s version as a strong ETag, e.g. `"v4"`.', schema: { type: "string" as const } },
};

export const RevisionSchema = z
  .object({
    number: z.number().int().openapi({ example: 3 }),
    createdAt: z.string(),
    createdBy: z.string().nullable().openapi({ description: "Id of the key that published it." }),
    note: z.string().nullable(),
    restoredFrom: z.number().int().nullable().openapi({ description: "For rollbacks: the revision restored." }),
    live: z.boolean(),
  })
  .openapi("Revision");

export const ChangeSchema = z
  .object({
    op: z.enum(["add", "remove", "replace"]),
    path: z.string().openapi({ example: "/title/fr" }),
    from: z.unknown().optional(),
    to: z.unknown().optional(),
  })
  .openapi("Change");

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    keyId: z.string().nullable(),
    action: z.string().openapi({ example: "product.publish" }),
    entityType: z.string(),
    entityKey: z.string(),
    fromVersion: z.number().int().nullable(),
    toVersion: z.number().int().nullable(),
    fromRevision: z.number().int().nullable(),
    toRevision: z.number().int().nullable(),
    detail: z.unknown().nullable(),
  })
  .openapi("AuditEntry");

export const PublishBody = z
  .strictObject({
    note: z.string().max(500).optional().openapi({ example: "Winter prices" }),
    force: z
      .strictObject({ reason: z.string().min(3).max(500) })
      .optional()
      .openapi({ description: "Publish despite parity violations (needs `catalog:publish`); the reason goes to the audit log." }),
  })
  .openapi("PublishRequest");

const built = new Map<string, ReturnType<typeof buildEntryRoutes>>();

/** The operations of one kind, built once (their schemas register named OpenAPI components). */
export function entryRoutes(spec: KindSpec) {
  let routes = built.get(spec.plural);
  if (!routes) {
    routes = buildEntryRoutes(spec);
    built.set(spec.plural, routes);
  }
  return routes;
}

function buildEntryRoutes(spec: KindSpec) {
  const { plural, singular, param, tag } = spec;
  const base = `/v1/admin/${plural}`;
  const item = `${base}/{${param}}`;
  const params = z.object({ [param]: spec.paramSchema }) as z.ZodObject<Record<string, z.ZodString>>;
  const entryDto = z
    .object({
      id: z.string(),
      [param]: z.string(),
      status: z.enum(["draft", "published", "archived"]),
      version: z.number().int().openapi({ description: 'Send as If-Match `"v<version>"` on the next write.' }),
      publishedRevision: z.number().int().nullable(),
      hasUnpublishedChanges: z.boolean(),
      staleOverrides: z.array(z.object({ channel: z.enum(CHANNELS), locale: z.string(), field: z.string() })),
      createdAt: z.string(),
      updatedAt: z.string(),
      draft: spec.document,
    })
    .openapi(`Admin${singular}`);
  const one = (description: string, status: 200 | 201 = 200) => ({
    [status]: { description, headers: etagHeader, content: { "application/json": { schema: entryDto } } },
  });
  const write = errorResponses(404, 409, 412, 422, 428);
  const lower = singular.toLowerCase();
  const ops = {
    list: defineRoute({
      method: "get",
      path: base,
      tags: [tag],
      operationId: `listAdmin${singular}s`,
      summary: `List ${plural} (drafts included)`,
      description: `Every ${lower} with its editorial state, in key order. Filter by \`status\`; archived ones only when asked for.`,
      scope: "catalog:write",
      request: {
        query: z.object({
          status: z.enum(["draft", "published", "archived"]).optional(),
          q: z.string().max(100).optional().openapi({ description: "Substring of the key." }),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().max(512).optional(),
        }),
      },
      responses: {
        200: {
          description: "A page.",
          content: {
            "application/json": {
              schema: z.object({ data: z.array(entryDto), nextCursor: z.string().nullable() }).openapi(`Admin${singular}Page`),
            },
          },
        },
      },
    }),
    create: defineRoute({
      method: "post",
      path: base,
      tags: [tag],
      operationId: `create${singular}`,
      summary: `Create a ${lower} draft`,
      description: `Creates a draft ${lower}. Nothing is delivered until it is published.`,
      scope: "catalog:write",
      request: { body: { required: true, content: { "application/json": { schema: spec.create } } } },
      responses: { ...one("Created.", 201), ...errorResponses(409, 413, 422) },
    }),
    get: defineRoute({
      method: "get",
      path: item,
      tags: [tag],
      operationId: `getAdmin${singular}`,
      summary: `Get a ${lower} draft`,
      description: "The draft document, its version (also as ETag) and its editorial state.",
      scope: "catalog:write",
      request: { params },
      responses: { ...one("The entity."), ...errorResponses(404) },
    }),
    patch: defineRoute({
      method: "patch",
      path: item,
      tags: [tag],
      operationId: `update${singular}`,
      summary: `Update a ${lower} draft`,
      description: `JSON Merge Patch (RFC 7386) of the draft: objects merge, \`null\` removes (e.g. \`{"title":{"fr":null}}\`). Editable fields: ${spec.fields.map((f) => `\`${f}\``).join(", ")}; others are read-only and refused. Needs \`If-Match\`.`,
      scope: "catalog:write",
      request: {
        params,
        headers: ifMatchHeader,
        body: {
          required: true,
          content: { "application/merge-patch+json": { schema: spec.patch }, "application/json": { schema: spec.patch } },
        },
      },
      responses: { ...one("Updated."), ...write },
    }),
    publish: defineRoute({
      method: "post",
      path: `${item}/publish`,
      tags: [tag],
      operationId: `publish${singular}`,
      summary: `Publish a ${lower}`,
      description:
        "Freezes the draft as a new revision and makes it live on every channel — atomically. Refused with 422 and the violations when channels would disagree, unless forced with a reason.",
      scope: "catalog:publish",
      request: { params, headers: ifMatchHeader, body: { required: false, content: { "application/json": { schema: PublishBody } } } },
      responses: { ...one("Published."), ...write },
    }),
    unpublish: defineRoute({
      method: "post",
      path: `${item}/unpublish`,
      tags: [tag],
      operationId: `unpublish${singular}`,
      summary: `Unpublish a ${lower}`,
      description: "Takes it off delivery; the draft and the revisions stay.",
      scope: "catalog:publish",
      request: { params, headers: ifMatchHeader },
      responses: { ...one("Unpublished."), ...write },
    }),
    archive: defineRoute({
      method: "post",
      path: `${item}/archive`,
      tags: [tag],
      operationId: `archive${singular}`,
      summary: `Archive a ${lower}`,
      description: "Unpublishes it and hides it from default lists. Reversible with restore; revisions are kept.",
      scope: "catalog:write",
      request: { params, headers: ifMatchHeader },
      responses: { ...one("Archived."), ...write },
    }),
    restore: defineRoute({
      method: "post",
      path: `${item}/restore`,
      tags: [tag],
      operationId: `restore${singular}`,
      summary: `Restore an archived ${lower}`,
      description: "Brings it back as a draft.",
      scope: "catalog:write",
      request: { params, headers: ifMatchHeader },
      responses: { ...one("Restored."), ...write },
    }),
    revisions: defineRoute({
      method: "get",
      path: `${item}/revisions`,
      tags: [tag],
      operationId: `list${singular}Revisions`,
      summary: "List revisions",
      description: "Every published revision, newest first.",
      scope: "catalog:write",
      request: { params },
      responses: {
        200: {
          description: "Revisions.",
          content: { "application/json": { schema: z.object({ data: z.array(RevisionSchema) }).openapi(`${singular}RevisionList`) } },
        },
        ...errorResponses(404),
      },
    }),
    revision: defineRoute({
      method: "get",
      path: `${item}/revisions/{number}`,
      tags: [tag],
      operationId: `get${singular}Revision`,
      summary: "Get one revision",
      description: "The frozen document of a revision.",
      scope: "catalog:write",
      request: { params: params.extend({ number: z.coerce.number().int().min(1) }) },
      responses: {
        200: {
          description: "The revision.",
          content: {
            "application/json": { schema: RevisionSchema.extend({ document: spec.document }).openapi(`${singular}RevisionDetail`) },
          },
        },
        ...errorResponses(404),
      },
    }),
    diff: defineRoute({
      method: "get",
      path: `${item}/diff`,
      tags: [tag],
      operationId: `diff${singular}`,
      summary: "Diff two revisions",
      description:
        "Changes from one revision to another (`draft` for the current draft), as JSON-Pointer changes. Variants, actions and overrides are matched by their keys.",
      scope: "catalog:write",
      request: {
        params,
        query: z.object({
          from: z
            .string()
            .regex(/^(\d+|draft)$/)
            .openapi({ example: "1" }),
          to: z
            .string()
            .regex(/^(\d+|draft)$/)
            .default("draft")
            .openapi({ example: "draft" }),
        }),
      },
      responses: {
        200: {
          description: "The changes.",
          content: {
            "application/json": {
              schema: z.object({ from: z.string(), to: z.string(), changes: z.array(ChangeSchema) }).openapi(`${singular}Diff`),
            },
          },
        },
        ...errorResponses(404),
      },
    }),
    rollback: defineRoute({
      method: "post",
      path: `${item}/rollback`,
      tags: [tag],
      operationId: `rollback${singular}`,
      summary: "Roll back to a revision",
      description: "Publishes an earlier revision's document as a new revision (history is never rewritten) and makes it the draft.",
      scope: "catalog:publish",
      request: {
        params,
        headers: ifMatchHeader,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({ revision: z.number().int().min(1).openapi({ example: 2 }) }).openapi("RollbackRequest"),
            },
          },
        },
      },
      responses: { ...one("Rolled back."), ...write },
    }),
    putOverride: defineRoute({
      method: "put",
      path: `${item}/overrides/{channel}/{locale}/{field}`,
      tags: [tag],
      operationId: `put${singular}Override`,
      summary: "Set a channel override",
      description:
        "Channel-specific wording of one base field in one locale (e.g. a shorter SMS title), for any configured locale: its base text is the field read along the locale's fallback chain (a French override of an English-only title stands for the English title), and views in locales that fall back to it use it too. It records the base text it was written against; when the base changes (or the locale gets its own base text) it becomes stale until confirmed or removed.",
      scope: "catalog:write",
      request: {
        params: params.extend({ channel: z.enum(CHANNELS), locale: LocaleCode, field: z.string().max(64) }),
        headers: ifMatchHeader,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .strictObject({ value: z.string().trim().min(1).max(4096).openapi({ example: "Merino crew" }) })
                .openapi("OverrideRequest"),
            },
          },
        },
      },
      responses: { ...one("Saved."), ...write },
    }),
    confirmOverride: defineRoute({
      method: "post",
      path: `${item}/overrides/{channel}/{locale}/{field}/confirm`,
      tags: [tag],
      operationId: `confirm${singular}Override`,
      summary: "Confirm a stale override",
      description: "Keeps the override's text and marks it current against today's base text.",
      scope: "catalog:write",
      request: {
        params: params.extend({ channel: z.enum(CHANNELS), locale: LocaleCode, field: z.string().max(64) }),
        headers: ifMatchHeader,
      },
      responses: { ...one("Confirmed."), ...write },
    }),
    deleteOverride: defineRoute({
      method: "delete",
      path: `${item}/overrides/{channel}/{locale}/{field}`,
      tags: [tag],
      operationId: `delete${singular}Override`,
      summary: "Reset an override",
      description: "Removes the override; the channel shows the base field again.",
      scope: "catalog:write",
      request: {
        params: params.extend({ channel: z.enum(CHANNELS), locale: LocaleCode, field: z.string().max(64) }),
        headers: ifMatchHeader,
      },
      responses: { ...one("Removed."), ...write },
    }),
    audit: defineRoute({
      method: "get",
      path: `${item}/audit`,
      tags: [tag],
      operationId: `get${singular}Audit`,
      summary: "Audit trail",
      description: "Who changed it, when, and from which version / revision to which; newest first.",
      scope: "catalog:write",
      request: { params },
      responses: {
        200: {
          description: "The audit entries.",
          content: { "application/json": { schema: z.object({ data: z.array(AuditEntrySchema) }).openapi(`${singular}AuditList`) } },
        },
        ...errorResponses(404),
      },
    }),
  };
  return { ops, entryDto };
}
