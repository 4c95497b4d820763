/** The editors' API: `/v1/admin/...`. */
import { z } from "@hono/zod-openapi";
import { actionKind } from "../../catalogue/actions";
import {
  ACTION_TARGETS,
  ActionDoc,
  Attribute,
  COMPLIANCE_WORDS,
  Key,
  LocaleCode,
  MESSAGE_KINDS,
  Media,
  MessageDoc,
  MessageFacts,
  ProductDoc,
  Slug,
} from "../../catalogue/documents";
import type { BeforePublish, EntityKind } from "../../catalogue/entries";
import { messageKind } from "../../catalogue/messages";
import { productKind } from "../../catalogue/products";
import type { Router } from "../../lib/create-router";
import { registerCatalogueAdminRoutes } from "./catalogue.index";
import { registerContentRoutes } from "./content.index";
import { registerEntryRoutes } from "./entries.index";
import { entryRoutes, type KindSpec } from "./entries.routes";
import { ProductCreate, registerProductAdminRoutes } from "./products.index";
import { registerWebhookRoutes } from "./webhooks.index";

/** Merge-patch text per locale: a string sets, `null` removes that locale. */
const localizedPatch = (max: number) =>
  z.record(LocaleCode, z.string().trim().min(1).max(max).nullable()).openapi({ example: { en: "Merino crew sweater", fr: null } });

const ProductPatch = z
  .strictObject({
    title: localizedPatch(200).optional(),
    summary: localizedPatch(500).optional(),
    description: localizedPatch(10_000).optional(),
    categories: z.array(Slug).max(20).optional(),
    media: z.array(Media).max(20).optional(),
    attributes: z.array(Attribute).max(50).optional(),
  })
  .openapi("ProductPatch", { description: "Slug, variants and overrides have their own operations; they are refused here." });

const MessagePatch = z
  .strictObject({
    kind: z.enum(MESSAGE_KINDS).optional(),
    title: localizedPatch(200).optional(),
    body: localizedPatch(5_000).optional(),
    short: localizedPatch(300).optional(),
    startsAt: z.string().datetime({ offset: true }).nullable().optional(),
    endsAt: z.string().datetime({ offset: true }).nullable().optional(),
    facts: MessageFacts.partial().optional(),
  })
  .openapi("MessagePatch", { example: { short: { en: "WINTER20: 20% off knitwear" }, endsAt: "2027-01-06T00:00:00Z" } });

const ActionPatch = z
  .strictObject({
    label: localizedPatch(40).optional(),
    confirmation: localizedPatch(300).optional(),
    appliesTo: z.array(z.enum(ACTION_TARGETS)).min(1).optional(),
    enabled: z.boolean().optional(),
    keyword: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{1,11}$/)
      .refine((k) => !(COMPLIANCE_WORDS as readonly string[]).includes(k), "This keyword is reserved for SMS compliance.")
      .optional(),
  })
  .openapi("ActionPatch", { example: { label: { en: "Add to bag" }, enabled: true } });

const productSpec: KindSpec = {
  plural: "products",
  singular: "Product",
  param: "slug",
  paramSchema: Slug,
  tag: "Products (editors)",
  document: ProductDoc,
  create: ProductCreate,
  patch: ProductPatch,
  fields: Object.keys(ProductPatch.shape),
};

export function registerAdminRoutes(app: Router, options: { beforePublish?: BeforePublish | undefined }) {
  const productCreate = registerProductAdminRoutes(app, entryRoutes(productSpec).entryDto);
  registerEntryRoutes(app, productKind as unknown as EntityKind<never>, productSpec, {
    beforePublish: options.beforePublish,
    create: productCreate,
  });
  registerEntryRoutes(
    app,
    messageKind as unknown as EntityKind<never>,
    {
      plural: "messages",
      singular: "Message",
      param: "key",
      paramSchema: Key,
      tag: "Messages (editors)",
      document: MessageDoc,
      create: MessageDoc,
      patch: MessagePatch,
      fields: Object.keys(MessagePatch.shape),
    },
    { beforePublish: options.beforePublish },
  );
  registerEntryRoutes(
    app,
    actionKind as unknown as EntityKind<never>,
    {
      plural: "actions",
      singular: "Action",
      param: "key",
      paramSchema: Key,
      tag: "Actions (editors)",
      document: ActionDoc,
      create: ActionDoc,
      patch: ActionPatch,
      fields: Object.keys(ActionPatch.shape),
    },
    { beforePublish: options.beforePublish },
  );
  registerCatalogueAdminRoutes(app);
  registerWebhookRoutes(app);
  registerContentRoutes(app);
}
