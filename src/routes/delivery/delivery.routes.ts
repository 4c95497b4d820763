/** Delivery: published, localized content. Public by default; `DELIVERY_REQUIRES_KEY=true` requires `catalog:read`. */
import { z } from "@hono/zod-openapi";
import { ActionViewSchema } from "../../catalogue/actions";
import { DeliveryOptionViewSchema } from "../../catalogue/delivery";
import { AVAILABILITIES, Key, LocaleCode, MESSAGE_KINDS, Slug } from "../../catalogue/documents";
import { LocaleDtoSchema } from "../../catalogue/locales";
import { MessageViewSchema } from "../../catalogue/messages";
import { ProductViewSchema } from "../../catalogue/products";
import { errorResponses } from "../../lib/errors";
import { notModified } from "../../lib/etag";
import { pageOf, pageQuery } from "../../lib/pagination";
import { CACHE_STATUS_HEADER } from "../../lib/response-cache";
import { defineRoute } from "../../lib/route";

const localeQuery = LocaleCode.optional().openapi({
  description: "The response locale. Without it, `Accept-Language` is negotiated; the resolved locale is in `Content-Language`.",
});
const pageParams = pageQuery(20);
const etagHeaders = {
  ETag: {
    description: "Strong validator of this representation; send it back in `If-None-Match` to get 304.",
    schema: { type: "string" as const },
  },
  "Content-Language": { description: "The resolved locale.", schema: { type: "string" as const } },
};
/** For the operations the response cache serves (`CACHEABLE_DELIVERY`). */
const cachedHeaders = { ...etagHeaders, "Cache-Status": CACHE_STATUS_HEADER };

const page = <T extends z.ZodTypeAny>(item: T, name: string) => pageOf(item, name, { locale: z.string().openapi({ example: "en" }) });

export const listProducts = defineRoute({
  method: "get",
  path: "/v1/products",
  tags: ["Delivery"],
  operationId: "listProducts",
  summary: "List published products",
  description:
    "Pages through live products in slug order (keyset pagination: stable when products are added). Filter by `category` and `availability`; `q` searches titles, summaries, descriptions and categories in every locale (FTS5, prefix matching) and orders by relevance — or, when more than 250 products match, in index order (the order they were first published), so a common word costs no more than a rare one.",
  scope: "catalog:read",
  publicRead: true,
  request: {
    query: z.object({
      ...pageParams,
      category: Slug.optional().openapi({ example: "knitwear" }),
      availability: z.enum(AVAILABILITIES).optional(),
      q: z.string().min(1).max(200).optional().openapi({ example: "merino sweater" }),
      locale: localeQuery,
    }),
  },
  responses: {
    200: {
      description: "A page of products.",
      headers: cachedHeaders,
      content: { "application/json": { schema: page(ProductViewSchema, "ProductPage") } },
    },
    ...notModified,
  },
});

export const getProduct = defineRoute({
  method: "get",
  path: "/v1/products/{slug}",
  tags: ["Delivery"],
  operationId: "getProduct",
  summary: "Get a published product",
  description: "The localized product view — the same facts every channel renders: title, formatted price, availability, variants.",
  scope: "catalog:read",
  publicRead: true,
  request: { params: z.object({ slug: Slug }), query: z.object({ locale: localeQuery }) },
  responses: {
    200: { description: "The product.", headers: cachedHeaders, content: { "application/json": { schema: ProductViewSchema } } },
    ...notModified,
    ...errorResponses(404),
  },
});

export const listMessages = defineRoute({
  method: "get",
  path: "/v1/messages",
  tags: ["Delivery"],
  operationId: "listMessages",
  summary: "List published messages",
  description:
    "Live messages (promotions, announcements, policies, FAQs, system texts) in key order. By default only those whose validity window includes now.",
  scope: "catalog:read",
  publicRead: true,
  request: {
    query: z.object({
      ...pageParams,
      kind: z.enum(MESSAGE_KINDS).optional(),
      includeInactive: z
        .enum(["true", "false"])
        .optional()
        .transform((v) => v === "true")
        .openapi({ description: "Also list messages outside their validity window." }),
      locale: localeQuery,
    }),
  },
  responses: {
    200: {
      description: "A page of messages.",
      headers: etagHeaders,
      content: { "application/json": { schema: page(MessageViewSchema, "MessagePage") } },
    },
    ...notModified,
  },
});

export const getMessage = defineRoute({
  method: "get",
  path: "/v1/messages/{key}",
  tags: ["Delivery"],
  operationId: "getMessage",
  summary: "Get a published message",
  description: "One message, localized, with its facts and whether it is live now.",
  scope: "catalog:read",
  publicRead: true,
  request: { params: z.object({ key: Key }), query: z.object({ locale: localeQuery }) },
  responses: {
    200: { description: "The message.", headers: etagHeaders, content: { "application/json": { schema: MessageViewSchema } } },
    ...notModified,
    ...errorResponses(404),
  },
});

export const listActions = defineRoute({
  method: "get",
  path: "/v1/actions",
  tags: ["Delivery"],
  operationId: "listActions",
  summary: "List the action catalogue",
  description: "What customers can do on every channel, with localized labels and SMS keywords. Invoke one with `POST /v1/actions/{key}`.",
  scope: "catalog:read",
  publicRead: true,
  request: { query: z.object({ ...pageParams, locale: localeQuery }) },
  responses: {
    200: {
      description: "A page of actions.",
      headers: cachedHeaders,
      content: { "application/json": { schema: page(ActionViewSchema, "ActionPage") } },
    },
    ...notModified,
  },
});

export const listDeliveryOptionsRoute = defineRoute({
  method: "get",
  path: "/v1/delivery-options",
  tags: ["Delivery"],
  operationId: "listDeliveryOptions",
  summary: "List the delivery options",
  description:
    "The enabled delivery options (from `content/delivery.json`) in the order editors listed them, with the name, the price " +
    "formatted for the locale's currency and the lead time in words: what every channel offers at checkout. " +
    "Pass an option's `key` as `deliveryOption` to the `checkout` action. Empty before any option is imported.",
  scope: "catalog:read",
  publicRead: true,
  request: { query: z.object({ locale: localeQuery }) },
  responses: {
    200: {
      description: "The delivery options.",
      headers: cachedHeaders,
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(DeliveryOptionViewSchema), locale: z.string().openapi({ example: "en" }) })
            .openapi("DeliveryOptionList", {
              example: {
                data: [
                  {
                    key: "standard",
                    name: "Standard delivery",
                    kind: "shipping",
                    price: { amount: 490, currency: "EUR", formatted: "€4.90" },
                    freeOver: { amount: 7500, currency: "EUR", formatted: "€75.00" },
                    leadTimeDays: { min: 2, max: 4 },
                    leadTime: "2–4 business days",
                  },
                  {
                    key: "pickup",
                    name: "Pick up at the shop",
                    kind: "pickup",
                    price: { amount: 0, currency: "EUR", formatted: "€0.00" },
                    freeOver: null,
                    leadTimeDays: { min: 1, max: 1 },
                    leadTime: "1 business day",
                  },
                ],
                locale: "en",
              },
            }),
        },
      },
    },
    ...notModified,
  },
});

export const listLocales = defineRoute({
  method: "get",
  path: "/v1/locales",
  tags: ["Delivery"],
  operationId: "listLocales",
  summary: "List locales",
  description: "The configured locales with their fallback chains and currencies.",
  scope: "catalog:read",
  publicRead: true,
  request: {},
  responses: {
    200: {
      description: "The locales.",
      headers: { ETag: etagHeaders.ETag, "Cache-Status": CACHE_STATUS_HEADER },
      content: { "application/json": { schema: z.object({ data: z.array(LocaleDtoSchema) }).openapi("LocaleList") } },
    },
    ...notModified,
  },
});
