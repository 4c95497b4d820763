/**
 * A partner's typed client (issue #12): types generated with openapi-typescript from the live
 * /openapi.json of the server `npm start` runs, called through openapi-fetch, annotated with
 * `components["schemas"][…]` the ordinary way. The program lists products, reads a WhatsApp render's
 * reply buttons (narrowing the body by its tags), gets a product, invokes an
 * action with an Idempotency-Key (narrowing the result by its `action` tag), reads the cart and
 * reads the timeline (narrowing an entry's payload by its `kind`) and handles a problem. It must compile under `tsc --strict`, then it runs against the server, every
 * response checked against the same document (test/helpers/contract.ts).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/lib/keys";
import { checkResponse } from "../helpers/contract";
import { type RunningServer, startServer } from "../helpers/server";

const DIR = join(import.meta.dirname, "../../node_modules/.cache/unison-typed-client");

const CLIENT = `import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Product = components["schemas"]["Product"];
type Cart = components["schemas"]["Cart"];
type Problem = components["schemas"]["Problem"];
type ActionResponse = components["schemas"]["ActionResponse"];
type RenderBody = components["schemas"]["RenderBody"];
type WhatsAppMessage = components["schemas"]["WhatsAppMessage"];
type WhatsAppButtons = components["schemas"]["WhatsAppButtons"];
type InteractionAction = components["schemas"]["InteractionAction"];

/** The render's JSON body is one shape per format; a WhatsApp message is the one with \`messaging_product\`. */
function isWhatsApp(body: RenderBody | string): body is WhatsAppMessage {
  return typeof body === "object" && "messaging_product" in body;
}

export interface Outcome {
  slugs: string[];
  product: Product;
  added: { quantity: number; reply: string };
  cart: Cart;
  problem: Pick<Problem, "status" | "code">;
  buttons: string[];
  timeline: { action: string; status: number }[];
}

export async function run(baseUrl: string, key: string, fetch: (request: Request) => Promise<Response>): Promise<Outcome> {
  const client = createClient<paths>({ baseUrl, fetch, headers: { authorization: \`Bearer \${key}\` } });

  const list = await client.GET("/v1/products", { params: { query: { limit: 5, locale: "en" } } });
  if (!list.data) throw new Error("no product list");
  const slugs: string[] = list.data.data.map((p: Product) => p.slug);

  const rendered = await client.GET("/v1/render/{channel}/products/{slug}", {
    params: { path: { channel: "chat", slug: slugs[0]! }, query: { format: "whatsapp" } },
  });
  if (rendered.data === undefined || !isWhatsApp(rendered.data)) throw new Error("no WhatsApp body");
  const message: WhatsAppMessage = rendered.data;
  if (message.type !== "interactive" || message.interactive.type !== "button") throw new Error("not reply buttons");
  // The tags narrow the body to WhatsAppButtons: its buttons are typed, no cast.
  const replies: WhatsAppButtons["action"]["buttons"] = message.interactive.action.buttons;

  const got = await client.GET("/v1/products/{slug}", { params: { path: { slug: slugs[0]! } } });
  if (!got.data) throw new Error("no product");
  const product: Product = got.data;
  const sku: string = product.variants[0]!.sku;

  const invoked = await client.POST("/v1/actions/{key}", {
    params: { path: { key: "add_to_cart" }, header: { "idempotency-key": "typed-client-1" } },
    body: { channel: "web", identity: { channel: "web", externalId: "typed-session" }, input: { sku, quantity: 2 } },
  });
  if (!invoked.data) throw new Error(\`add_to_cart failed: \${invoked.error?.code}\`);
  const response: ActionResponse = invoked.data;
  if (response.action !== "add_to_cart") throw new Error(\`unexpected action \${response.action}\`);
  // The tag narrows the result to AddToCartResult: its cart is typed, no cast.
  const line = response.result.cart.lines.find((l) => l.sku === sku);

  const cart = await client.GET("/v1/customers/{id}/cart", { params: { path: { id: response.customer } } });
  if (!cart.data) throw new Error("no cart");

  const timeline = await client.GET("/v1/customers/{id}/timeline", { params: { path: { id: response.customer } } });
  if (!timeline.data) throw new Error("no timeline");
  // \`kind\` narrows an entry to its payload: an action's carries the outcome's status.
  const actions: { action: string; status: number }[] = [];
  for (const entry of timeline.data.data) {
    if (entry.kind !== "action") continue;
    const invoked: InteractionAction = entry;
    actions.push({ action: invoked.action, status: invoked.payload.status });
  }

  const missing = await client.GET("/v1/products/{slug}", { params: { path: { slug: "no-such-product" } } });
  if (!missing.error) throw new Error("expected a problem");
  const problem: Problem = missing.error;
  // A parity failure lists its violations with their fields (none on a 404).
  const firstRule: string | undefined = problem.violations?.[0]?.rule;

  return {
    slugs,
    product,
    added: { quantity: line?.quantity ?? 0, reply: response.reply.text + (firstRule ?? "") },
    cart: cart.data,
    problem: { status: problem.status, code: problem.code },
    buttons: replies.map((b) => b.reply.title),
    timeline: actions,
  };
}
`;

let server: RunningServer;
let key: string;

beforeAll(async () => {
  server = await startServer();
  key = (await createApiKey(server.db, { name: "typed client", scopes: ["actions:invoke", "customers:read"] }, new Date())).secret;
  await mkdir(DIR, { recursive: true });
  const spec = (await (await server.fetch("/openapi.json")).json()) as Parameters<typeof openapiTS>[0];
  // defaultNonNullable off: fields with defaults are optional in requests (the spec does not list them as required).
  await writeFile(join(DIR, "schema.d.ts"), astToString(await openapiTS(spec, { defaultNonNullable: false })));
  await writeFile(join(DIR, "client.ts"), CLIENT);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("a typed client generated from /openapi.json", () => {
  it("compiles under strict TypeScript with openapi-fetch", () => {
    const program = ts.createProgram([join(DIR, "client.ts")], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
  }, 60_000);

  it("runs against the server: list, get, invoke with an Idempotency-Key, read the cart, handle a problem", async () => {
    const { run } = (await import(join(DIR, "client.ts"))) as {
      run(baseUrl: string, key: string, fetch: (request: Request) => Promise<Response>): Promise<any>;
    };
    const validating = async (request: Request) => {
      const response = await fetch(request);
      await checkResponse(server.url, request.method, request.url.slice(server.url.length), response);
      return response;
    };
    const outcome = await run(server.url, key, validating);
    expect(outcome.slugs.length).toBeGreaterThan(0);
    expect(outcome.product.slug).toBe(outcome.slugs[0]);
    expect(outcome.added.quantity).toBe(2);
    expect(outcome.cart.lines).toEqual([expect.objectContaining({ sku: outcome.product.variants[0].sku, quantity: 2 })]);
    expect(outcome.problem).toEqual({ status: 404, code: "not_found" });
    expect(outcome.buttons).toContain("Add to cart");
    expect(outcome.timeline).toEqual([{ action: "add_to_cart", status: 200 }]);
  }, 60_000);
});
