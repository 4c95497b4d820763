/**
 * docs/architecture.md, "The published contract": every JSON body a renderer produces is valid against its format's
 * component in /openapi.json (src/channels/bodies.ts), and against that component only — the
 * render operation's `RenderBody` is a `oneOf`, so the formats' shapes must exclude each other.
 * The views are the real builders' over the demo catalogue: every kind in two locales, every demo
 * product and message, and replies with 0 to 80 offers (text, buttons, lists, `More…`, several
 * Slack actions blocks, postbacks too long for a button).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { renderers } from "../../renderers";
import { BASE_URL, messageKeys, offers, productSlugs, relabel, resultView } from "../../renderers/chat/fixtures";
import { RENDER_BODIES } from "../../src/channels/bodies";
import type { EntityView } from "../../src/channels/contract";
import { createTestApp } from "../helpers/app";
import { type Demo, loadDemo } from "../helpers/demo";
import { everyKind } from "../helpers/views";

const DOC_ID = "https://unison.test/openapi.json";
type Format = keyof typeof RENDER_BODIES;
const CHANNEL_OF: Record<Format, "mobile" | "chat" | "agent"> = {
  screen: "mobile",
  generic: "chat",
  whatsapp: "chat",
  slack: "chat",
  telegram: "chat",
  messenger: "chat",
  mcp: "agent",
};
const FORMATS = Object.keys(RENDER_BODIES) as Format[];

let ajv: Ajv2020;
let demo: Demo;
let views: [string, EntityView][];

const validator = (name: string) => {
  const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`no component ${name}`);
  return validate;
};
const componentOf = (format: Format) => RENDER_BODIES[format][0];
const render = (view: EntityView, format: Format) =>
  JSON.parse(renderers[CHANNEL_OF[format]].render(view, { baseUrl: BASE_URL, format }).body) as unknown;

beforeAll(async () => {
  const doc = (await (await (await createTestApp()).request("GET", "/openapi.json")).json()) as object;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  demo = await loadDemo();
  views = [];
  for (const locale of ["en", "fr"])
    for (const [kind, view] of Object.entries(await everyKind(demo, locale))) views.push([`${kind} ${locale}`, view]);
  for (const slug of await productSlugs(demo)) views.push([`product ${slug}`, await demo.product(slug, "chat")]);
  for (const key of await messageKeys(demo)) views.push([`message ${key}`, await demo.message(key, "chat")]);
  const pool = await offers(demo, 80);
  for (const n of [0, 1, 3, 4, 10, 12, 30, 80]) views.push([`reply with ${n} offers`, resultView(pool.slice(0, n))]);
  // Postbacks over Telegram's 64 bytes become URL buttons (and generic `url` buttons).
  views.push([
    "reply with long postbacks",
    resultView(pool.slice(0, 3).map((o, i) => relabel(o, `Long ${i}`, `${o.postback}:${"x".repeat(70)}`))),
  ]);
}, 120_000);

describe("render bodies against /openapi.json", () => {
  it.each(FORMATS)("every %s body is valid against its component and RenderBody", (format) => {
    const own = validator(componentOf(format));
    const any = validator("RenderBody");
    const failures: string[] = [];
    for (const [name, view] of views) {
      const body = render(view, format);
      if (!own(body)) failures.push(`${name}: ${JSON.stringify(own.errors?.slice(0, 3))}`);
      else if (!any(body)) failures.push(`${name} (RenderBody): ${JSON.stringify(any.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(FORMATS)("a %s body matches no other format's component (the oneOf's shapes exclude each other)", (format) => {
    const others = FORMATS.filter((f) => f !== format).map((f) => [f, validator(componentOf(f))] as const);
    const overlaps = views.flatMap(([name, view]) => {
      const body = render(view, format);
      return others.filter(([, validate]) => validate(body)).map(([f]) => `${name} also a ${f} body`);
    });
    expect(overlaps).toEqual([]);
  });

  it("covers every shape: WhatsApp text, buttons and list; Telegram and generic URL buttons; several Slack actions blocks", () => {
    const bodies = views.map(([, view]) => ({
      whatsapp: render(view, "whatsapp") as { type: string; interactive?: { type: string } },
      telegram: JSON.stringify(render(view, "telegram")),
      generic: JSON.stringify(render(view, "generic")),
      slack: render(view, "slack") as { blocks: { type: string }[] },
    }));
    const whatsapp = new Set(bodies.map((b) => b.whatsapp.interactive?.type ?? b.whatsapp.type));
    expect([...whatsapp].sort()).toEqual(["button", "list", "text"]);
    expect(bodies.some((b) => b.telegram.includes('"url"'))).toBe(true);
    expect(bodies.some((b) => /"label":"[^"]*","url"/.test(b.generic))).toBe(true);
    expect(bodies.some((b) => b.slack.blocks.filter((x) => x.type === "actions").length > 1)).toBe(true);
  });

  it("a closed payload with one property more is refused (what keeps the oneOf exact)", () => {
    const body = render(views[0]![1], "whatsapp") as Record<string, unknown>;
    expect(validator("WhatsAppMessage")(body)).toBe(true);
    expect(validator("WhatsAppMessage")({ ...body, to: "33612345678" })).toBe(false);
    expect(validator("RenderBody")({ text: "hi", buttons: [], quick_replies: [] })).toBe(false);
  });
});
