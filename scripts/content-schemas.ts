/**
 * The JSON Schemas of the content format, generated from the zod schemas so
 * they cannot drift (a test compares the committed files with this output).
 * Run `npx tsx scripts/content-schemas.ts --write` after changing documents.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "@hono/zod-openapi";
import { LocalesFile, ProductFile } from "../src/catalogue/content";
import { DeliveryFile } from "../src/catalogue/delivery";
import { ActionDoc, MessageDoc } from "../src/catalogue/documents";

export function contentSchemas(): Record<string, string> {
  const make = (title: string, schema: z.ZodType) =>
    `${JSON.stringify({ $id: `https://unison.dev/schemas/content/${title}.schema.json`, title, ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) }, null, 2)}\n`;
  return {
    "product.schema.json": make("product", ProductFile),
    "message.schema.json": make("message", MessageDoc),
    "action.schema.json": make("action", ActionDoc),
    "locales.schema.json": make("locales", LocalesFile),
    "delivery.schema.json": make("delivery", DeliveryFile),
  };
}

if (process.argv.includes("--write")) {
  const dir = join(import.meta.dirname, "../content/schema");
  for (const [name, text] of Object.entries(contentSchemas())) writeFileSync(join(dir, name), text);
  console.log(`wrote ${dir}`);
}
