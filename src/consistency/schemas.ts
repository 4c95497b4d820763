/** The wire contract of renders, manifests, violations and audit reports (apart from the engine's types, docs/architecture.md, "Wire contract apart from tables"). */
import { z } from "@hono/zod-openapi";
import { CHANNELS } from "../catalogue/documents";
import { RULES } from "./engine";

export const ViolationSchema = z
  .object({
    entity: z.object({ type: z.enum(["product", "message", "action"]), key: z.string() }),
    channel: z.enum(CHANNELS).nullable(),
    format: z.string().nullable().openapi({ example: "whatsapp" }),
    locale: z.string().nullable().openapi({ example: "fr" }),
    rule: z.enum(RULES),
    detail: z.string().openapi({ example: 'The price "89,00 €" does not appear in the sms/text output.' }),
    field: z.string().optional().openapi({ example: "title" }),
  })
  .openapi("Violation", { description: "One way a channel would disagree with the canonical catalogue." });

const FactSchema = z.object({ name: z.string(), value: z.string(), alternatives: z.array(z.string()).optional() });

export const ManifestSchema = z
  .object({
    facts: z.array(FactSchema),
    actions: z.array(
      z.object({
        key: z.string().openapi({ example: "add_to_cart" }),
        input: z.record(z.string(), z.union([z.string(), z.number()])),
        label: z.string(),
        control: z.object({ kind: z.enum(["form", "deepLink", "keyword", "postback", "tool"]) }).passthrough(),
      }),
    ),
    degradations: z.array(z.object({ rule: z.string(), detail: z.string() })),
  })
  .openapi("RenderManifest", { description: "What a render shows and offers, and every degradation it took." });

export const RenderSchema = z
  .object({
    channel: z.enum(CHANNELS),
    format: z.string(),
    locale: z.string(),
    contentType: z.string(),
    body: z.string().openapi({ description: "The exact bytes the channel gets." }),
    manifest: ManifestSchema,
  })
  .openapi("Render");

export const PreviewSchema = z
  .object({
    entity: z.object({
      type: z.enum(["product", "message"]),
      key: z.string(),
      version: z.number().int(),
      status: z.enum(["draft", "published", "archived"]),
    }),
    verdict: z.object({
      ok: z.boolean().openapi({ description: "True when publishing this draft would pass the parity gate." }),
      violations: z.array(ViolationSchema),
    }),
    renders: z.array(RenderSchema),
  })
  .openapi("Preview");

export const AuditReportSchema = z
  .object({
    summary: z.object({
      entities: z.number().int(),
      renders: z.number().int(),
      violations: z.number().int(),
      entitiesWithViolations: z.number().int(),
      byRule: z.record(z.string(), z.number().int()),
      byChannel: z.record(z.string(), z.number().int()),
    }),
    entities: z.array(z.object({ entity: ViolationSchema.shape.entity, violations: z.array(ViolationSchema) })),
  })
  .openapi("ConsistencyReport");
