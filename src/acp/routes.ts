/** `GET /v1/feeds/acp`: the published catalogue as an Agentic Commerce Protocol product feed (JSON or CSV). */
import { z } from "@hono/zod-openapi";
import { LocaleCode } from "../catalogue/documents";
import type { Router } from "../lib/create-router";
import { defineRoute } from "../lib/route";
import { viewContext } from "../routes/delivery/delivery.index";
import { auditFeed, FEED_FIELDS, type FeedItem, feedCsv, feedItems, publishedViews } from "./feed";

const FeedItemSchema = z
  .object(
    Object.fromEntries(FEED_FIELDS.map((f) => [f, z.union([z.string(), z.boolean()])])) as Record<
      (typeof FEED_FIELDS)[number],
      z.ZodUnion<[z.ZodString, z.ZodBoolean]>
    >,
  )
  .openapi("AcpFeedItem", {
    example: {
      item_id: "MER-CRE-SWE-S-NAVY",
      title: "Merino crew sweater - S / Navy",
      description: "A soft, warm crew-neck sweater in extra-fine merino wool.",
      url: "https://shop.example/products/merino-crew-sweater",
      is_eligible_search: true,
      is_eligible_checkout: false,
      brand: "Fjord & Field",
      price: "110.00 EUR",
      sale_price: "89.00 EUR",
      image_url: "https://shop.example/images/merino-crew-sweater.svg",
      additional_image_urls: "",
      availability: "in_stock",
      group_id: "merino-crew-sweater",
      listing_has_variations: true,
      variant_dict: '{"size":"S","color":"Navy"}',
      product_category: "knitwear",
      seller_name: "Fjord & Field",
      seller_url: "https://shop.example/",
      return_policy: "https://shop.example/messages/returns_policy",
    },
  });

export const getAcpFeed = defineRoute({
  method: "get",
  path: "/v1/feeds/acp",
  tags: ["Agents"],
  operationId: "getAcpFeed",
  summary: "The catalogue as an ACP product feed",
  description:
    "Every variant of every published product as one item of OpenAI's product feed format (Agentic Commerce Protocol), in one locale and its currency: `item_id` (the SKU), `title`, `description`, `url`, `brand`, `price` / `sale_price` (\"89.00 EUR\"), `image_url`, `availability`, `group_id`, the eligibility flags, `seller_name`, `seller_url`, `return_policy`. `format=csv` answers the same items as RFC 4180 CSV (formulas neutralised). The feed's facts are audited against the views every channel renders; `violations` lists any disagreement (none, unless the feed code is broken). `is_eligible_checkout` is true when this server completes ACP checkout sessions (`/checkout_sessions`), that is when it takes payments (`PAYMENTS_MODE=test` today), else false.",
  scope: "catalog:read",
  request: {
    query: z.object({
      locale: LocaleCode.optional().openapi({
        description: "The feed's locale (and so its currency); default: Accept-Language, then the default locale.",
      }),
      format: z.enum(["json", "csv"]).default("json"),
    }),
  },
  responses: {
    200: {
      description: "The feed.",
      content: {
        "application/json": {
          schema: z
            .object({
              locale: z.string(),
              items: z.array(FeedItemSchema),
              violations: z.array(z.object({ itemId: z.string(), field: z.string(), detail: z.string() })),
            })
            .openapi("AcpFeed"),
        },
        "text/csv": { schema: z.string().openapi({ example: "item_id,title,description,url,…" }) },
      },
    },
  },
});

export function registerAcpRoutes(app: Router) {
  app.openapi(getAcpFeed, async (c) => {
    const { locale, format } = c.req.valid("query");
    const ctx = await viewContext(c, locale);
    const views = await publishedViews(c.get("db"), ctx);
    const config = c.get("config");
    const options = { sellerName: config.SMS_BRAND, baseUrl: ctx.baseUrl, checkout: config.PAYMENTS_MODE !== "off" };
    const items: FeedItem[] = views.flatMap((v) => feedItems(v, options));
    c.header("content-language", ctx.locale);
    c.header("cache-control", "private, no-cache");
    if (format === "csv") return c.body(feedCsv(items), 200, { "content-type": "text/csv; charset=utf-8" }) as never;
    return c.json({ locale: ctx.locale, items, violations: auditFeed(items, views) }, 200) as never;
  });
}
