/** Product-specific editors' operations: create with stock, variants, inventory. */

import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ProductDoc, Slug, Variant } from "../../catalogue/documents";
import {
  createEntry,
  type EntryRow,
  entryKeyOf,
  getEntry,
  mergePatch,
  parseDocument,
  requireVersion,
  updateDraft,
} from "../../catalogue/entries";
import { getInventoryRow, inventoryInserts, productKind, setStock } from "../../catalogue/products";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";
import { defineRoute } from "../../lib/route";
import { respondEntry, writeContext } from "./entries.handlers";
import { etagHeader, ifMatchHeader } from "./entries.routes";

const Stock = z
  .number()
  .int()
  .min(0)
  .max(10_000_000)
  .openapi({ description: "Units on hand (operational: effective at once, no publish).", example: 12 });

// Flat objects, not `.extend()`: extending a registered schema yields `allOf` of two closed objects
// (additionalProperties: false in each), which no instance can satisfy under a strict validator.
const VariantCreate = z.strictObject({ ...Variant.shape, stock: Stock.optional() }).openapi("VariantCreate");

export const ProductCreate = z
  .strictObject({ ...ProductDoc.shape, variants: z.array(VariantCreate).min(1).max(100) })
  .openapi("ProductCreate");

const VariantPatch = z
  .strictObject({
    title: z.record(z.string(), z.string().trim().min(1).max(120).nullable()).optional(),
    options: z.record(z.string(), z.string().min(1).max(60).nullable()).optional(),
    prices: z.record(z.string(), z.number().int().min(0).nullable()).optional(),
    compareAtPrices: z.record(z.string(), z.number().int().min(0).nullable()).nullable().optional(),
    backorder: z.enum(["deny", "preorder"]).optional(),
    lowStockThreshold: z.number().int().min(0).max(10_000).optional(),
  })
  .openapi("VariantPatch", {
    description: "JSON Merge Patch of one variant; the SKU is read-only and stock has its own operation.",
    example: { prices: { EUR: 7900 }, compareAtPrices: { EUR: 8900 }, lowStockThreshold: 3 },
  });

const InventorySchema = z
  .object({
    sku: z.string().openapi({ example: "MER-CREW-NAVY-M" }),
    product: z.string().openapi({ example: "merino-crew-sweater" }),
    stock: z.number().int(),
    listed: z.boolean().openapi({ description: "Whether the live revision offers this SKU." }),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi("Inventory");

const skuParams = z.object({ slug: Slug, sku: z.string().min(1).max(64) });
const getInventory = defineRoute({
  method: "get",
  path: "/v1/admin/inventory/{sku}",
  tags: ["Catalogue (editors)"],
  operationId: "getInventory",
  summary: "Get a SKU's stock",
  description: "Stock is operational data with its own version (ETag).",
  scope: "catalog:write",
  request: { params: z.object({ sku: z.string().min(1).max(64) }) },
  responses: {
    200: { description: "The stock.", headers: etagHeader, content: { "application/json": { schema: InventorySchema } } },
    ...errorResponses(404),
  },
});

const putInventory = defineRoute({
  method: "put",
  path: "/v1/admin/inventory/{sku}",
  tags: ["Catalogue (editors)"],
  operationId: "setInventory",
  summary: "Set a SKU's stock",
  description: "Sets units on hand; availability on every channel follows at once. Needs `If-Match` with the inventory's ETag.",
  scope: "catalog:write",
  request: {
    params: z.object({ sku: z.string().min(1).max(64) }),
    headers: ifMatchHeader,
    body: {
      required: true,
      content: { "application/json": { schema: z.strictObject({ stock: Stock }).openapi("InventoryUpdate", { example: { stock: 12 } }) } },
    },
  },
  responses: {
    200: { description: "The stock.", headers: etagHeader, content: { "application/json": { schema: InventorySchema } } },
    ...errorResponses(404, 412, 428),
  },
});

type Doc = z.infer<typeof ProductDoc>;

/** Registers product-only routes; returns the create handler the generic routes use. */
/** Variant operations answer with the product, in the AdminProduct schema of the generic routes. */
function variantRoutes<S extends z.ZodType>(adminProduct: S) {
  const one = (description: string) => ({
    200: { description, headers: etagHeader, content: { "application/json": { schema: adminProduct } } },
  });

  const addVariant = defineRoute({
    method: "post",
    path: "/v1/admin/products/{slug}/variants",
    tags: ["Products (editors)"],
    operationId: "addVariant",
    summary: "Add a variant",
    description: "Adds a variant to the draft (its stock, if given, is set at once). Needs the product's `If-Match`.",
    scope: "catalog:write",
    request: {
      params: z.object({ slug: Slug }),
      headers: ifMatchHeader,
      body: { required: true, content: { "application/json": { schema: VariantCreate } } },
    },
    responses: { ...one("The product with the new variant."), ...errorResponses(404, 409, 412, 422, 428) },
  });

  const patchVariant = defineRoute({
    method: "patch",
    path: "/v1/admin/products/{slug}/variants/{sku}",
    tags: ["Products (editors)"],
    operationId: "updateVariant",
    summary: "Update a variant",
    description: "JSON Merge Patch of one variant in the draft. Needs the product's `If-Match`.",
    scope: "catalog:write",
    request: {
      params: skuParams,
      headers: ifMatchHeader,
      body: {
        required: true,
        content: { "application/merge-patch+json": { schema: VariantPatch }, "application/json": { schema: VariantPatch } },
      },
    },
    responses: { ...one("The product."), ...errorResponses(404, 409, 412, 422, 428) },
  });

  const deleteVariant = defineRoute({
    method: "delete",
    path: "/v1/admin/products/{slug}/variants/{sku}",
    tags: ["Products (editors)"],
    operationId: "removeVariant",
    summary: "Remove a variant",
    description: "Removes a variant from the draft (its inventory row is kept for history). A product keeps at least one variant.",
    scope: "catalog:write",
    request: { params: skuParams, headers: ifMatchHeader },
    responses: { ...one("The product."), ...errorResponses(404, 409, 412, 422, 428) },
  });
  return { addVariant, patchVariant, deleteVariant };
}

export function registerProductAdminRoutes<S extends z.ZodType>(app: Router, adminProduct: S) {
  const { addVariant, patchVariant, deleteVariant } = variantRoutes(adminProduct);
  const create = async (c: Context<AppEnv>, body: unknown): Promise<EntryRow> => {
    // The body was validated as ProductCreate: stock goes to inventory, the rest is the document.
    const input = body as z.infer<typeof ProductCreate>;
    const stocks = new Map(input.variants.map((v) => [v.sku, v.stock]));
    const parsed = parseDocument(productKind, { ...input, variants: input.variants.map(({ stock: _stock, ...variant }) => variant) });
    const ctx = writeContext(c);
    return createEntry(c.get("db"), productKind, ctx, parsed, (orm, id) =>
      inventoryInserts(
        orm,
        id,
        parsed.variants.map((v) => ({ ...v, stock: stocks.get(v.sku) ?? 0 })),
        ctx.now.toISOString(),
      ),
    );
  };

  const editVariants = async (
    c: Context<AppEnv>,
    change: (doc: Doc) => { doc: unknown; newStock?: { sku: string; stock: number } },
    action: string,
  ) => {
    const db = c.get("db");
    const { slug } = c.req.param() as { slug: string };
    const entry = await getEntry(db, "product", slug);
    const version = requireVersion(c.req.header("if-match"), entry);
    const result = change(JSON.parse(entry.draft) as Doc);
    const doc = parseDocument(productKind, result.doc);
    const ctx = writeContext(c);
    const added = result.newStock
      ? doc.variants.filter((v) => v.sku === result.newStock?.sku).map((v) => ({ ...v, stock: result.newStock?.stock }))
      : [];
    const updated = await updateDraft(db, productKind, ctx, entry, version, doc, {
      action,
      extra: (orm) => inventoryInserts(orm, entry.id, added, ctx.now.toISOString()),
    });
    return respondEntry(c, updated, "slug");
  };

  app.openapi(addVariant, async (c) => {
    const { stock, ...variant } = c.req.valid("json");
    return editVariants(
      c,
      (doc) => {
        if (doc.variants.some((v) => v.sku === variant.sku))
          throw new ApiError("already_exists", `This product already has SKU ${variant.sku}.`);
        return { doc: { ...doc, variants: [...doc.variants, variant] }, newStock: { sku: variant.sku, stock: stock ?? 0 } };
      },
      "product.variant.add",
    );
  });

  app.openapi(patchVariant, async (c) => {
    const { sku } = c.req.valid("param");
    const patch = c.req.valid("json");
    return editVariants(
      c,
      (doc) => {
        const index = doc.variants.findIndex((v) => v.sku === sku);
        if (index < 0) throw new ApiError("not_found", `This product has no SKU ${sku}.`);
        const variants = [...doc.variants];
        variants[index] = mergePatch(variants[index], patch) as Doc["variants"][number];
        return { doc: { ...doc, variants } };
      },
      "product.variant.update",
    );
  });

  app.openapi(deleteVariant, async (c) => {
    const { sku } = c.req.valid("param");
    return editVariants(
      c,
      (doc) => {
        if (!doc.variants.some((v) => v.sku === sku)) throw new ApiError("not_found", `This product has no SKU ${sku}.`);
        if (doc.variants.length === 1)
          throw new ApiError("unprocessable", "A product keeps at least one variant; archive the product instead.");
        return { doc: { ...doc, variants: doc.variants.filter((v) => v.sku !== sku) } };
      },
      "product.variant.remove",
    );
  });

  const inventoryDto = async (c: Context<AppEnv>, sku: string) => {
    const db = c.get("db");
    const row = await getInventoryRow(db, sku);
    const product = await entryKeyOf(db, row.entryId);
    c.header("etag", `"v${row.version}"`);
    c.header("cache-control", "no-store");
    return {
      sku: row.sku,
      product: product ?? "",
      stock: row.stock,
      listed: row.listed,
      version: row.version,
      updatedAt: row.updatedAt,
    };
  };

  app.openapi(getInventory, async (c) => c.json(await inventoryDto(c, c.req.valid("param").sku), 200));

  app.openapi(putInventory, async (c) => {
    const { sku } = c.req.valid("param");
    const current = await inventoryDto(c, sku);
    const version = requireVersion(c.req.header("if-match"), current);
    await setStock(c.get("db"), sku, c.req.valid("json").stock, version, c.get("clock")());
    return c.json(await inventoryDto(c, sku), 200);
  });

  return create;
}
