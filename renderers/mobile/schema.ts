/**
 * The mobile screen format, version 1.0 (docs/channels.md,
 * "Mobile"): one zod schema, from which the published JSON Schema is derived
 * (`screen.schema.json`, kept equal by a test), so the app's contract and the
 * renderer's own inspection can never disagree.
 *
 * Objects are loose on purpose: a 1.x minor version only *adds* optional fields
 * and component types, so every 1.x screen still validates against this 1.0
 * schema — an app ignores fields it does not know and renders the `fallback`
 * of a component type it does not know.
 *
 * Runtime-neutral: zod only (no Node modules), it runs on Workers too.
 */
import { z } from "zod";

/** The version this renderer emits; the major part is also in the content type. */
export const SCHEMA_VERSION = "1.0";

/**
 * The media type of a screen: plain JSON, the version in the body's
 * `schemaVersion`. Plain so every HTTP stack, cache and the render route's
 * declared responses take it as they are; a 2.0 would get its own media type.
 */
export const SCREEN_CONTENT_TYPE = "application/json";

const text = z.string().min(1);
/**
 * Links are https (universal / app links need it). Plain http is accepted only on loopback hosts, so a shop
 * developed locally (PUBLIC_BASE_URL=http://127.0.0.1:8787) renders and audits like a deployed one.
 */
const https = z
  .string()
  .regex(/^(https:\/\/[^\s]+|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/[^\s]*)?)$/, "an https URL (http only on loopback)");

/** What an app shows when it does not know a component's type (the fallback rule). */
export const FallbackSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

/** The action a component triggers: the `id` of one entry of the screen's `actions`. */
const actionRef = z.string().min(1);

const image = z.looseObject({ url: https, alt: text });

function component<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.looseObject({ type: z.literal(type), ...shape, fallback: FallbackSchema });
}

/** The component types of version 1.0, by `type`. */
export const COMPONENT_SCHEMAS = {
  heading: component("heading", { text, level: z.union([z.literal(1), z.literal(2)]) }),
  text: component("text", { text }),
  image: component("image", { url: https, alt: text }),
  price: component("price", { text, compareAt: z.string().nullable() }),
  badge: component("badge", { text, tone: z.enum(["positive", "warning", "negative", "neutral"]) }),
  keyValue: component("keyValue", { items: z.array(z.looseObject({ label: text, value: text })).min(1) }),
  variantPicker: component("variantPicker", {
    label: text,
    /** The action whose `input[field]` takes the chosen option's SKU, or null when nothing can be bought. */
    actionId: actionRef.nullable(),
    field: z.literal("sku"),
    options: z
      .array(
        z.looseObject({
          sku: text,
          title: text,
          price: text,
          compareAt: z.string().nullable(),
          availabilityText: text,
          enabled: z.boolean(),
        }),
      )
      .min(1),
  }),
  list: component("list", {
    items: z.array(
      z.looseObject({
        title: text,
        subtitle: z.string().nullable(),
        image: image.nullable(),
        actionId: actionRef.nullable(),
      }),
    ),
  }),
  button: component("button", { label: text, actionId: actionRef, style: z.enum(["primary", "secondary"]) }),
  notice: component("notice", { text, tone: z.enum(["info", "success", "error"]) }),
  link: component("link", { text, url: https }),
} as const;

export type ComponentType = keyof typeof COMPONENT_SCHEMAS;
export const COMPONENT_TYPES = Object.keys(COMPONENT_SCHEMAS) as ComponentType[];

/**
 * A component of a later minor version: any type this version does not know,
 * with its fallback. The pattern excludes the known types, so a malformed known
 * component (an image without `alt`) cannot pass as an unknown one.
 */
export const UnknownComponentSchema = z.looseObject({
  // `abort`: a known type failing here must not make this the only "plausible" branch of the union (zod
  // would then report only this branch's issue, hiding what is wrong with, say, the image).
  type: z.string().regex(new RegExp(`^(?!(?:${COMPONENT_TYPES.join("|")})$)[A-Za-z][A-Za-z0-9]*$`), {
    message: "a component type this version does not know",
    abort: true,
  }),
  fallback: FallbackSchema,
});

const k = COMPONENT_SCHEMAS;
/** A component: one of the known types, else a later type understood through its fallback (known types first). */
export const ComponentSchema = z.union([
  k.heading,
  k.text,
  k.image,
  k.price,
  k.badge,
  k.keyValue,
  k.variantPicker,
  k.list,
  k.button,
  k.notice,
  k.link,
  UnknownComponentSchema,
]);

/** One action descriptor: the label, the web page it lives on, and the exact request that performs it. */
export const ActionSchema = z.looseObject({
  id: text,
  label: text,
  deepLink: https,
  request: z.looseObject({
    method: z.literal("POST"),
    url: https,
    headers: z.looseObject({ "content-type": z.literal("application/json") }),
    body: z.looseObject({ input: z.record(z.string(), z.union([z.string(), z.number()])) }),
    /** Arguments the app must ask the customer for (a quantity, a score), sent in `body.input` by name. */
    params: z.array(text),
  }),
});

export const SectionSchema = z.looseObject({ id: text, components: z.array(ComponentSchema) });

export const ScreenSchema = z
  .looseObject({
    // Any 1.x: a minor version only adds, so this schema holds for all of them; a 2.0 is a new media type.
    schemaVersion: z.string().regex(/^1\.(?:0|[1-9][0-9]*)$/, "a 1.x version"),
    screen: z.looseObject({
      id: text,
      kind: z.enum(["product", "product_list", "message", "cart", "order", "action_result"]),
      title: text,
      locale: text,
      url: https,
    }),
    sections: z.array(SectionSchema),
    actions: z.array(ActionSchema),
  })
  .meta({ title: `Unison screen ${SCHEMA_VERSION}`, description: "A server-driven mobile screen (renderers/mobile/README.md)." });

export type Screen = z.infer<typeof ScreenSchema>;
export type ScreenAction = z.infer<typeof ActionSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type UnknownComponent = z.infer<typeof UnknownComponentSchema>;
/** A component as the renderer builds it: one of the known types. */
export type Component = { [K in ComponentType]: z.infer<(typeof COMPONENT_SCHEMAS)[K]> }[ComponentType];

/**
 * The published JSON Schema (draft 2020-12) of the screen.
 *
 * @example
 * const ajv = new Ajv2020(); ajv.validate(screenJsonSchema(), JSON.parse(body));
 */
export function screenJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScreenSchema) as Record<string, unknown>;
}

/**
 * The text of `screen.schema.json`, as committed. Regenerate with
 * `npx tsx -e 'import("./renderers/mobile/schema.ts").then((m) => process.stdout.write(m.screenSchemaText()))' > renderers/mobile/screen.schema.json`.
 */
export function screenSchemaText(): string {
  return `${JSON.stringify(screenJsonSchema(), null, 2)}\n`;
}
