import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_URL, CONTENT_DIR, type Demo, loadDemo } from "../../test/helpers/demo";
import { everyKind } from "../../test/helpers/views";
import { mobileRenderer } from "./index";
import { ScreenSchema, screenJsonSchema } from "./schema";

const SCHEMA_FILE = fileURLToPath(new URL("./screen.schema.json", import.meta.url));
const SLUGS = readdirSync(`${CONTENT_DIR}/products`).map((f) => f.replace(/\.json$/, ""));

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));

let demo: Demo;
beforeAll(async () => {
  demo = await loadDemo();
});

const render = (view: Parameters<typeof mobileRenderer.render>[0]) => JSON.parse(mobileRenderer.render(view, { baseUrl: BASE_URL }).body);

/** Whether the committed JSON Schema accepts a screen, with ajv's errors as the failure message. */
function expectValid(screen: unknown): void {
  const ok = validate(screen);
  expect(ok, ajv.errorsText(validate.errors)).toBe(true);
}

describe("the published screen JSON Schema", () => {
  test("the committed screen.schema.json is exactly what z.toJSONSchema derives from the zod schema", () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(screenJsonSchema());
  });

  test("is a draft 2020-12 schema", () => {
    expect(screenJsonSchema().$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  test.each(["en", "fr"])("accepts the screen of every demo product in %s", async (locale) => {
    expect(SLUGS).toHaveLength(33);
    for (const slug of SLUGS) expectValid(render(await demo.product(slug, "mobile", locale)));
  });

  test.each(["en", "fr"])("accepts the screens of all six view kinds in %s", async (locale) => {
    const views = await everyKind(demo, locale);
    expect(Object.keys(views)).toHaveLength(6);
    for (const view of Object.values(views)) expectValid(render(view));
  });

  describe("rejects a broken screen, as the zod schema does", () => {
    const breakers: [string, (screen: any) => void][] = [
      ["an image without alt text", (s) => delete s.sections[0].components[0].alt],
      ["a component without its fallback", (s) => delete s.sections[0].components[2].fallback],
      ["a plain-http page url", (s) => (s.screen.url = "http://shop.example/products/merino-crew-sweater")],
      ["an action request that is not a POST", (s) => (s.actions[0].request.method = "GET")],
      ["a 2.0 screen", (s) => (s.schemaVersion = "2.0")],
      ["an unknown component type without a fallback", (s) => s.sections[0].components.push({ type: "carousel" })],
      ["a known type spelled as an unknown one would be (a heading without text)", (s) => delete s.sections[0].components[2].text],
    ];
    test.each(breakers)("%s", async (_name, breakIt) => {
      const screen = render(await demo.product("merino-crew-sweater", "mobile", "en"));
      expectValid(screen);
      breakIt(screen);
      expect(validate(screen)).toBe(false);
      expect(ScreenSchema.safeParse(screen).success).toBe(false);
    });
  });

  test("accepts what a later 1.x minor version adds: new fields and a new component type with its fallback", async () => {
    const screen = render(await demo.product("merino-crew-sweater", "mobile", "en"));
    screen.schemaVersion = "1.3";
    screen.screen.theme = "dark";
    screen.sections[0].components.push({ type: "carousel", items: [], fallback: { type: "text", text: "Photos" } });
    expectValid(screen);
    expect(ScreenSchema.safeParse(screen).success).toBe(true);
  });
});

describe("the precompiled screen validator (validate.generated.ts) that inspection uses", () => {
  /** Every variant of a screen with one value replaced or removed, at every path. */
  function* mutations(value: unknown, path: (string | number)[] = []): Generator<{ path: string; screen: (root: unknown) => unknown }> {
    const at = (root: unknown, replace: (parent: Record<string | number, unknown>, key: string | number) => void) => {
      const copy = structuredClone(root) as Record<string | number, unknown>;
      let node = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      replace(node, path[path.length - 1]!);
      return copy;
    };
    if (path.length) {
      const where = `/${path.join("/")}`;
      for (const [name, next] of [
        ["removed", undefined],
        ["null", null],
        ["a number", 7],
        ["empty", ""],
        ["http", "http://shop.example/x"],
        ["a word", "notice"],
        ["an object", {}],
        ["a list", []],
      ] as const) {
        yield {
          path: `${where} ${name}`,
          screen: (root) =>
            at(root, (parent, key) => {
              if (next === undefined) {
                if (Array.isArray(parent)) parent.splice(Number(key), 1);
                else delete parent[key];
              } else parent[key] = structuredClone(next);
            }),
        };
      }
    }
    if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) yield* mutations(child, [...path, Array.isArray(value) ? Number(key) : key]);
    }
  }

  test("gives zod's verdict on every demo screen and on every one-value mutation of two of them", async () => {
    const { validate: precompiled } = await import("./validate.generated");
    const screens = [];
    for (const locale of ["en", "fr"]) {
      for (const slug of SLUGS) screens.push(render(await demo.product(slug, "mobile", locale)));
      screens.push(...Object.values(await everyKind(demo, locale)).map(render));
    }
    for (const screen of screens) expect(precompiled(screen)).toBe(true);
    let checked = 0;
    let invalid = 0;
    for (const root of [screens[0], render(await demo.message("winter_sale", "mobile", "fr"))]) {
      for (const { path, screen } of mutations(root)) {
        const mutated = screen(root);
        const zod = ScreenSchema.safeParse(mutated).success;
        expect(precompiled(mutated), path).toBe(zod);
        checked++;
        if (!zod) invalid++;
      }
    }
    // Both verdicts occur many times: the comparison is not between two validators that accept everything.
    expect(checked).toBeGreaterThan(1000);
    expect(invalid).toBeGreaterThan(300);
    expect(checked - invalid).toBeGreaterThan(100);
  });
});
