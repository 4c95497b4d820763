/** Bulk import and export of the catalogue in the `content/` format, as JSON. */
import { z } from "@hono/zod-openapi";
import { bundleFromJson, exportContent, importContent } from "../../catalogue/content";
import { pageBuilder } from "../../channels/pages";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";
import { hasScope } from "../../lib/keys";
import { defineRoute } from "../../lib/route";

const Counts = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });

const BundleSchema = z
  .strictObject({
    locales: z.array(z.unknown()).optional().openapi({ description: "As `content/locales.json`." }),
    delivery: z
      .array(z.unknown())
      .max(20)
      .optional()
      .openapi({ description: "As `content/delivery.json`: the delivery options, replacing the stored ones. Absent: left as they are." }),
    products: z
      .array(z.unknown())
      .max(20_000)
      .optional()
      .openapi({ description: "As `content/products/*.json` (variants may carry `stock`)." }),
    messages: z.array(z.unknown()).max(20_000).optional(),
    actions: z.array(z.unknown()).max(1_000).optional(),
  })
  .openapi("ContentBundle", {
    description: "The catalogue in the content/ file format; see content/README.md and the JSON Schemas in content/schema/.",
    example: {
      locales: [{ code: "en", name: "English", fallback: null, default: true, currency: "EUR" }],
      delivery: [
        {
          key: "standard",
          name: { en: "Standard delivery" },
          kind: "shipping",
          prices: { EUR: 490 },
          leadTimeDays: { min: 2, max: 4 },
          enabled: true,
        },
      ],
      products: [],
      messages: [],
      actions: [],
    },
  });

const importRoute = defineRoute({
  method: "post",
  path: "/v1/admin/import",
  tags: ["Catalogue (editors)"],
  operationId: "importContent",
  summary: "Import a content bundle",
  description:
    "Validates the whole bundle first and writes nothing when anything is wrong (422 with every problem, each with its item and JSON Pointer). Idempotent: unchanged entities are not written. Publishes what it imports unless `publish=false`; publishing also needs the `catalog:publish` scope.",
  scope: "catalog:write",
  request: {
    query: z.object({
      publish: z.enum(["true", "false"]).default("true"),
      dryRun: z.enum(["true", "false"]).default("false").openapi({ description: "Validate and count, write nothing." }),
    }),
    body: { required: true, content: { "application/json": { schema: BundleSchema } } },
  },
  responses: {
    200: {
      description: "Imported (or, for a dry run, what would be).",
      content: {
        "application/json": {
          schema: z
            .object({
              dryRun: z.boolean(),
              locales: Counts,
              products: Counts,
              messages: Counts,
              actions: Counts,
              delivery: Counts.extend({ removed: z.number().int() }).openapi({
                description: "Delivery options; `removed` were no longer listed.",
              }),
            })
            .openapi("ImportReport", {
              example: {
                dryRun: false,
                locales: { created: 0, updated: 0, unchanged: 2 },
                products: { created: 1, updated: 2, unchanged: 30 },
                messages: { created: 0, updated: 0, unchanged: 13 },
                actions: { created: 0, updated: 0, unchanged: 13 },
                delivery: { created: 0, updated: 1, unchanged: 2, removed: 0 },
              },
            }),
        },
      },
    },
    ...errorResponses(413, 422),
  },
});

const exportRoute = defineRoute({
  method: "get",
  path: "/v1/admin/export",
  tags: ["Catalogue (editors)"],
  operationId: "exportContent",
  summary: "Export the catalogue",
  description:
    "Every non-archived entity's current draft, current stock, the locales and the delivery options, in the content/ format. " +
    "With `published=true`, only published entities, each as published (not its newer draft): the bundle to deploy " +
    "elsewhere with `POST /v1/admin/import`, so an unpublished edit does not go live there.",
  scope: "catalog:write",
  request: {
    query: z.object({
      published: z
        .enum(["true", "false"])
        .default("false")
        .openapi({ description: "Only published entities, as published.", example: "true" }),
    }),
  },
  responses: { 200: { description: "The bundle.", content: { "application/json": { schema: BundleSchema } } } },
});

export function registerContentRoutes(app: Router) {
  app.openapi(importRoute, async (c) => {
    const { publish, dryRun } = c.req.valid("query");
    if (publish === "true" && !hasScope(c.get("principal"), "catalog:publish")) {
      throw new ApiError(
        "insufficient_scope",
        'Importing with publish=true also needs the "catalog:publish" scope (or pass publish=false).',
      );
    }
    const report = await importContent(
      c.get("db"),
      bundleFromJson(c.req.valid("json") as Parameters<typeof bundleFromJson>[0]),
      { keyId: c.get("principal")?.keyId ?? null, now: c.get("clock")() },
      { publish: publish === "true", dryRun: dryRun === "true", pages: pageBuilder(c.get("renderers").web.site) },
    );
    if (report.problems.length) {
      throw new ApiError("unprocessable", `The bundle has ${report.problems.length} problem(s); nothing was imported.`, {
        extra: {
          errors: report.problems.map((p) => ({
            in: "body",
            pointer: `/${p.file.replace(/\[(\d+)\]$/, "/$1")}${p.pointer}`,
            code: "invalid",
            message: p.message,
          })),
        },
      });
    }
    const { problems: _problems, ...counts } = report;
    return c.json({ dryRun: dryRun === "true", ...counts }, 200);
  });

  app.openapi(exportRoute, async (c) => {
    const files = await exportContent(c.get("db"), { published: c.req.valid("query").published === "true" });
    const bundle: { locales: unknown[]; delivery?: unknown[]; products: unknown[]; messages: unknown[]; actions: unknown[] } = {
      locales: [],
      products: [],
      messages: [],
      actions: [],
    };
    for (const file of files) {
      const data = JSON.parse(file.text) as unknown;
      if (file.path === "locales.json") bundle.locales = data as unknown[];
      else if (file.path === "delivery.json") bundle.delivery = data as unknown[];
      else bundle[file.path.split("/")[0] as "products" | "messages" | "actions"].push(data);
    }
    c.header("cache-control", "no-store");
    return c.json(bundle, 200);
  });
}
