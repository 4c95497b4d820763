import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { screenJsonSchema } from "../../renderers/mobile/schema";
import { buildTemplates, dispatchOnType, generate } from "../../scripts/build-templates";

describe("precompiled templates", () => {
  it("the committed generated modules are exactly what scripts/build-templates.ts produces from the .hbs files", () => {
    expect(buildTemplates({ check: true })).toEqual([]);
  });

  it("compile in strict mode: a template that names a missing variable throws instead of rendering a blank", async () => {
    const Handlebars = (await import("handlebars/runtime")).default;
    const source = generate("sms");
    expect(source).toContain('"product":');
    const hb = Handlebars.create();
    const { templates } = await import("../../renderers/sms/templates.generated");
    hb.registerPartial("menu", hb.template(templates.menu));
    const product = hb.template(templates.product);
    expect(() => product({ title: "x" })).toThrow(/"price" not defined/);
  });
});

describe("the screen validator's type dispatch (dispatchOnType)", () => {
  const published = () => screenJsonSchema() as any;
  const components = (schema: any) => schema.properties.sections.items.properties.components.items;
  const compile = (schema: unknown) => new Ajv2020({ strict: false, discriminator: true }).compile(schema as object);
  const fallback = { type: "text", text: "Photos" };
  const samples = [
    { type: "heading", text: "Merino", level: 1, fallback },
    { type: "heading", level: 1, fallback },
    { type: "heading", text: "Merino", level: 3, fallback },
    { type: "carousel", fallback },
    { type: "carousel" },
    { type: "car-ousel", fallback },
    { type: 7, fallback },
    { fallback },
    null,
    "heading",
    [],
  ];

  it("replaces the component union with a discriminator on the known types, and gives the union's verdict on each sample", () => {
    const schema = published();
    const dispatched = dispatchOnType(schema) as any;
    expect(components(schema).anyOf).toHaveLength(12);
    expect(components(dispatched).anyOf).toBeUndefined();
    expect(components(dispatched).then.discriminator).toEqual({ propertyName: "type" });
    const [union, chain] = [compile(components(schema)), compile(components(dispatched))];
    const verdicts = samples.map((s) => union(s));
    expect(verdicts.filter(Boolean)).toHaveLength(2);
    expect(samples.map((s) => chain(s))).toEqual(verdicts);
  });

  it("leaves a union alone when its catch-all also accepts a known type (dispatching would then reject what it accepts)", () => {
    const schema = published();
    components(schema).anyOf.at(-1).properties.type.pattern = "^[A-Za-z][A-Za-z0-9]*$";
    const headingWithoutText = { type: "heading", level: 1, fallback };
    expect(compile(components(schema))(headingWithoutText)).toBe(true);
    expect(dispatchOnType(schema)).toEqual(schema);
  });
});
