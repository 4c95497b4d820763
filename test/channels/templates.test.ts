import { describe, expect, it } from "vitest";
import { buildTemplates, generate } from "../../scripts/build-templates";

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
