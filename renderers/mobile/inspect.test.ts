import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import type { EntityView, Inspection } from "../../src/channels/contract";
import { decodesTo, showsFact } from "../../src/channels/contract";
import { BASE_URL, CONTENT_DIR, type Demo, loadDemo } from "../../test/helpers/demo";
import { everyKind } from "../../test/helpers/views";
import { mobileRenderer } from "./index";

const names = (dir: string) => readdirSync(`${CONTENT_DIR}/${dir}`).map((f) => f.replace(/\.json$/, ""));
const SLUGS = names("products");
const MESSAGES = names("messages");

let demo: Demo;
let actions: Record<string, ActionView[]>;
beforeAll(async () => {
  demo = await loadDemo();
  actions = { en: await demo.actions("en"), fr: await demo.actions("fr") };
});

const inspect = (body: string, locale = "en"): Inspection =>
  mobileRenderer.inspect(body, { format: "screen", baseUrl: BASE_URL, actions: actions[locale]! });

/** What the consistency engine requires of a view's screen: every fact, every action, no limit broken, links at home. */
function expectConsistent(view: EntityView): void {
  const seen = inspect(mobileRenderer.render(view, { baseUrl: BASE_URL }).body, view.locale);
  const where = `${view.kind} ${view.url} (${view.locale})`;
  expect(seen.limits, where).toEqual([]);
  for (const fact of view.facts) expect(showsFact(seen.text, fact, mobileRenderer.normalizeFact), `${where}: ${fact.value}`).toBe(true);
  for (const offer of view.actions)
    expect(
      seen.controls.some((c) => decodesTo(c.decoded, offer)),
      `${where}: ${offer.key}`,
    ).toBe(true);
  for (const link of seen.links) expect(link.startsWith(`${BASE_URL}/`), `${where}: ${link}`).toBe(true);
}

/** A merino screen to break, and a function reading it back after the change. */
async function merino(): Promise<{ screen: any; reinspect: () => Inspection }> {
  const screen = JSON.parse(mobileRenderer.render(await demo.product("merino-crew-sweater", "mobile", "en"), { baseUrl: BASE_URL }).body);
  return { screen, reinspect: () => inspect(JSON.stringify(screen)) };
}

const rules = (seen: Inspection) => seen.limits.map((l) => l.rule);

describe("inspecting rendered screens", () => {
  test.each(["en", "fr"])("every demo product in %s: every fact and every action found, no limit broken", async (locale) => {
    expect(SLUGS).toHaveLength(33);
    for (const slug of SLUGS) expectConsistent(await demo.product(slug, "mobile", locale));
  });

  test.each(["en", "fr"])("every demo message in %s: every code, percentage, date and link found, no limit broken", async (locale) => {
    expect(MESSAGES).toHaveLength(13);
    for (const key of MESSAGES) expectConsistent(await demo.message(key, "mobile", locale));
  });

  test.each(["en", "fr"])("all six view kinds in %s: every fact and every action found, no limit broken", async (locale) => {
    for (const view of Object.values(await everyKind(demo, locale))) expectConsistent(view);
  });

  test("every action decodes to its key and fixed arguments, labelled as its button", async () => {
    const { reinspect } = await merino();
    expect(reinspect().controls).toEqual([
      {
        label: "Add to cart",
        decoded: { key: "add_to_cart", input: { sku: "MER-CRE-SWE-S-NAVY" } },
        control: { kind: "form", method: "post", action: "https://shop.example/v1/actions/add_to_cart" },
      },
      {
        label: "View details",
        decoded: { key: "view_product", input: { slug: "merino-crew-sweater" } },
        control: { kind: "form", method: "post", action: "https://shop.example/v1/actions/view_product" },
      },
    ]);
  });

  test("the text is what the app shows: fallbacks and alt text of known components do not count", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[1].components[0].fallback.text = "FALLBACK-ONLY";
    screen.sections[0].components[0].alt = "ALT-ONLY";
    const { text } = reinspect();
    expect(text).not.toContain("FALLBACK-ONLY");
    expect(text).not.toContain("ALT-ONLY");
  });

  test("a component type of a later version is read through its fallback", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[0].components.push({ type: "countdown", until: "2027-01-06", fallback: { type: "text", text: "Ends 6 January 2027" } });
    const seen = reinspect();
    expect(seen.limits).toEqual([]);
    expect(seen.text).toContain("Ends 6 January 2027");
  });
});

describe("breaking the body is noticed", () => {
  test("removing an action makes inspect stop finding it, and reports its button as dangling", async () => {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    const { screen, reinspect } = await merino();
    const add = view.actions.find((a) => a.key === "add_to_cart")!;
    expect(reinspect().controls.some((c) => decodesTo(c.decoded, add))).toBe(true);
    screen.actions = screen.actions.filter((a: any) => a.id !== "add_to_cart:MER-CRE-SWE-S-NAVY");
    const seen = reinspect();
    expect(seen.controls.some((c) => decodesTo(c.decoded, add))).toBe(false);
    expect(seen.limits).toContainEqual({
      rule: "mobile.action.dangling",
      detail: 'A component points to "add_to_cart:MER-CRE-SWE-S-NAVY", which is not an action.',
    });
  });

  test("a button pointing to a missing action is reported", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[3].components[0].actionId = "checkout";
    expect(reinspect().limits).toContainEqual({
      rule: "mobile.action.dangling",
      detail: 'A component points to "checkout", which is not an action.',
    });
  });

  test("an action no button or row performs is reported, even when a variant picker points to it", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[3].components.shift();
    expect(reinspect().limits).toEqual([
      { rule: "mobile.action.unreferenced", detail: 'No button or row performs action "add_to_cart:MER-CRE-SWE-S-NAVY".' },
    ]);
  });

  test("an action posting anywhere but this origin's actions API decodes to nothing", async () => {
    const { screen, reinspect } = await merino();
    screen.actions[0].request.url = "https://shop.example.evil/v1/actions/add_to_cart";
    const seen = reinspect();
    expect(seen.controls[0]!.decoded).toBeNull();
    expect(rules(seen)).toEqual(["mobile.action.request"]);
  });

  test("an action of a key the catalogue does not have decodes to nothing", async () => {
    const { screen, reinspect } = await merino();
    screen.actions[0].request.url = "https://shop.example/v1/actions/launch_rocket";
    expect(reinspect().controls[0]!.decoded).toBeNull();
  });

  test("a body that is not JSON is a schema breach, with nothing shown", () => {
    const seen = inspect("<html>not a screen</html>");
    expect(rules(seen)).toEqual(["mobile.schema"]);
    expect(seen).toMatchObject({ text: "", controls: [], links: [] });
  });

  test("a component that breaks the schema is reported by path, and the rest of the screen is still read", async () => {
    const { screen, reinspect } = await merino();
    delete screen.sections[0].components[1].alt;
    const seen = reinspect();
    expect(seen.limits).toEqual([
      { rule: "mobile.schema", detail: "/sections/0/components/1/alt: Invalid input: expected string, received undefined" },
    ]);
    expect(seen.text).toContain("€89.00");
    expect(seen.controls).toHaveLength(2);
  });

  test("duplicate action ids, section ids and button labels are each reported", async () => {
    const { screen, reinspect } = await merino();
    screen.actions.push(screen.actions[1]);
    screen.sections.push({ ...screen.sections[0] });
    screen.sections[3].components[1].label = "Add to cart";
    expect(rules(reinspect()).sort()).toEqual(["mobile.action.unique", "mobile.label.unique", "mobile.section.unique"]);
  });
});

describe("limits at and over each boundary", () => {
  test("a page on the base origin passes; one on a look-alike origin that merely starts the same does not", async () => {
    const { screen, reinspect } = await merino();
    screen.actions[0].deepLink = "https://shop.example/products/merino-crew-sweater?ref=app";
    expect(reinspect().limits).toEqual([]);
    screen.actions[0].deepLink = "https://shop.example.evil/products/merino-crew-sweater";
    expect(reinspect().limits).toEqual([
      { rule: "mobile.link.origin", detail: "https://shop.example.evil/products/merino-crew-sweater is not on https://shop.example." },
    ]);
  });

  test("an https deep link passes; an http one breaks the schema", async () => {
    const { screen, reinspect } = await merino();
    screen.actions[1].deepLink = "http://shop.example/products/merino-crew-sweater";
    expect(rules(reinspect())).toContain("mobile.schema");
  });

  test("one character of alt text passes; only spaces do not", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[0].components[0].alt = "M";
    expect(reinspect().limits).toEqual([]);
    screen.sections[0].components[0].alt = "   ";
    expect(rules(reinspect())).toEqual(["mobile.image.alt"]);
  });

  test("schema versions 1.0 and any later 1.x pass; 2.0 does not", async () => {
    const { screen, reinspect } = await merino();
    screen.schemaVersion = "1.12";
    expect(reinspect().limits).toEqual([]);
    screen.schemaVersion = "2.0";
    expect(rules(reinspect())).toEqual(["mobile.schema"]);
  });

  test("two distinct button labels in a section pass; two equal ones do not", async () => {
    const { screen, reinspect } = await merino();
    screen.sections[3].components[1].label = "Add to cart!";
    expect(reinspect().limits).toEqual([]);
    screen.sections[3].components[1].label = "Add to cart";
    expect(rules(reinspect())).toEqual(["mobile.label.unique"]);
  });
});

describe("a body render just made is read from the screen it was serialised from", () => {
  // Inspecting a body twice: the first read takes render's screen (parse skipped), the second parses the bytes.
  const twice = (view: EntityView): [Inspection, Inspection] => {
    const { body } = mobileRenderer.render(view, { baseUrl: BASE_URL });
    return [inspect(body, view.locale), inspect(body, view.locale)];
  };

  test.each(["en", "fr"])("every demo product and view kind in %s reads exactly as its parsed bytes", async (locale) => {
    const views = [
      ...(await Promise.all(SLUGS.map((s) => demo.product(s, "mobile", locale)))),
      ...Object.values(await everyKind(demo, locale)),
    ];
    for (const view of views) {
      const [fromRender, fromBytes] = twice(view);
      expect(fromRender, `${view.kind} ${view.url}`).toEqual(fromBytes);
    }
  });

  test("a rendered screen that breaks the schema reports the same violations as its parsed bytes", async () => {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    // A title of control characters only cleans to "": the heading and the screen title then break minLength.
    const [fromRender, fromBytes] = twice({ ...view, title: "\u0007" });
    expect(rules(fromRender)).toContain("mobile.schema");
    expect(fromRender).toEqual(fromBytes);
  });

  test("a body that differs from what render made, even by one character of the same length, is read from its bytes", async () => {
    const view = await demo.product("merino-crew-sweater", "mobile", "en");
    const { body } = mobileRenderer.render(view, { baseUrl: BASE_URL });
    const changed = body.replace('"level":1', '"level":3');
    expect(changed).toHaveLength(body.length);
    expect(rules(inspect(changed))).toEqual(["mobile.schema"]);
    expect(inspect(body).limits).toEqual([]);
  });
});
