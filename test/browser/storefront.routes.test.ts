/**
 * The storefront's routes in-process (`app.request`), on a fresh database
 * with the demo catalogue: pages, 404s, the locale, and the cart flow through
 * real form posts carrying the session cookie. The real-browser journey is in
 * storefront.test.ts.
 */
import { HtmlValidate } from "html-validate";
import { beforeEach, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";
import { BASE_URL, CONTENT_DIR } from "../helpers/demo";

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp({ checkContract: false });
  const report = await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
  expect(report.problems).toEqual([]);
});

/** A browser's cookie jar, just enough for one origin. */
class Browser {
  cookies = new Map<string, string>();

  async get(path: string, headers: Record<string, string> = {}) {
    return this.keep(await t.app.request(path, { headers: { ...this.header(), ...headers } }));
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = { origin: BASE_URL }) {
    const body = new URLSearchParams(form).toString();
    return this.keep(
      await t.app.request(path, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", ...this.header(), ...headers },
      }),
    );
  }

  private header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {};
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

async function html(res: Response, status: number): Promise<string> {
  const text = await res.text();
  expect(res.status, text.slice(0, 2000)).toBe(status);
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  return text;
}

describe("GET / (the catalogue)", () => {
  it("lists the first page of live products with links to their pages, the category filter and the security headers", async () => {
    const res = await new Browser().get("/");
    const body = await html(res, 200);
    expect(body.match(/<li class="card">/g)).toHaveLength(12);
    expect(body).toContain('<a href="https://shop.example/products/alpaca-cardigan">');
    expect(body).toContain('<a href="https://shop.example/categories/knitwear">Knitwear</a>');
    expect(res.headers.get("content-security-policy")).toContain("script-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("answers 304 to a matching If-None-Match and 200 with the page to a stale one", async () => {
    const first = await new Browser().get("/products/merino-crew-sweater");
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    const again = await new Browser().get("/products/merino-crew-sweater", { "if-none-match": tag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect((await new Browser().get("/products/merino-crew-sweater", { "if-none-match": '"stale"' })).status).toBe(200);
  });

  it("searches with ?q= and refills the search box", async () => {
    const body = await html(await new Browser().get("/?q=merino"), 200);
    expect(body).toContain('<h1 dir="auto">Search: merino</h1>');
    expect(body).toContain('<a href="https://shop.example/products/merino-crew-sweater">');
    expect(body).not.toContain('<a href="https://shop.example/products/camp-stove">');
    expect(body).toContain('name="q" value="merino"');
  });

  it("says so when a search finds nothing", async () => {
    const body = await html(await new Browser().get("/?q=zzzzqqq"), 200);
    expect(body).toContain("<p>No products match.</p>");
  });
});

describe("GET /categories/:category", () => {
  it("lists only that category's products and marks it current", async () => {
    const body = await html(await new Browser().get("/categories/knitwear"), 200);
    expect(body).toContain('<a href="https://shop.example/products/merino-crew-sweater">');
    expect(body).not.toContain('<a href="https://shop.example/products/camp-stove">');
    expect(body).toContain('<a href="https://shop.example/categories/knitwear" aria-current="page">Knitwear</a>');
  });

  it("is a 404 page for a category without products", async () => {
    const body = await html(await new Browser().get("/categories/spaceships"), 404);
    expect(body).toContain("Page not found");
  });
});

describe("GET /products/:slug", () => {
  it("renders the product with its JSON-LD and add-to-cart form posting to the storefront", async () => {
    const body = await html(await new Browser().get("/products/merino-crew-sweater"), 200);
    expect(body).toContain('<h1 dir="auto">Merino crew sweater</h1>');
    expect(body).toContain('"offers":{"@type":"Offer","url":"https://shop.example/products/merino-crew-sweater","price":"89.00"');
    expect(body).toContain('<form class="action" method="post" action="https://shop.example/actions/add_to_cart">');
    expect(body).toContain('<a class="brand" href="https://shop.example/">Fjord &amp; Pine</a>');
  });

  it("is an HTML 404 page for an unknown slug", async () => {
    const body = await html(await new Browser().get("/products/no-such-thing"), 404);
    expect(body).toContain('<h1 dir="auto">Page not found</h1>');
  });
});

describe("GET /messages/:key", () => {
  it("renders a live promotion, which the banner also links to", async () => {
    const body = await html(await new Browser().get("/messages/winter_sale"), 200);
    expect(body).toContain('<h1 dir="auto">Winter sale: 20% off knitwear</h1>');
    expect(body).toContain('<a href="https://shop.example/messages/winter_sale" dir="auto">Winter sale: 20% off knitwear</a>');
  });

  it("is a 404 page for an unknown key", async () => {
    await html(await new Browser().get("/messages/nope"), 404);
  });
});

describe("the locale", () => {
  it("follows ?locale=, remembers it in a cookie, and uses the cookie on the next page", async () => {
    const browser = new Browser();
    const first = await browser.get("/products/merino-crew-sweater?locale=fr");
    expect(await html(first, 200)).toContain('<h1 dir="auto">Pull col rond en mérinos</h1>');
    expect(first.headers.get("content-language")).toBe("fr");
    expect(browser.cookies.get("unison_locale")).toBe("fr");
    const next = await html(await browser.get("/products/merino-crew-sweater"), 200);
    expect(next).toContain('<html lang="fr" dir="ltr">');
    expect(next).toContain("89,00\u00a0€");
  });

  it("falls back to Accept-Language, and ignores an unknown ?locale=", async () => {
    expect(await html(await new Browser().get("/", { "accept-language": "fr-CA,fr;q=0.9,en;q=0.5" }), 200)).toContain('<html lang="fr"');
    expect(await html(await new Browser().get("/?locale=xx"), 200)).toContain('<html lang="en"');
  });
});

describe("the cart flow through form posts", () => {
  it("adds, changes, removes and checks out with the session cookie, and shows the order only to its session", async () => {
    const browser = new Browser();
    expect(await html(await browser.get("/cart"), 200)).toContain("Your cart is empty.");

    const added = await browser.post("/actions/add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: "2" });
    expect(added.status, await added.clone().text()).toBe(303);
    expect(added.headers.get("location")).toBe("https://shop.example/cart");
    const session = added.headers.getSetCookie().find((c) => c.startsWith("unison_session="));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\//);
    expect(session).toMatch(/Secure/);

    const cart = await html(await browser.get("/cart"), 200);
    expect(cart).toContain("Merino crew sweater (S / Oat)");
    expect(cart).toContain('<td data-label="Quantity">2</td>');
    expect(cart).toContain("€178.00");
    expect(cart).toContain('<p class="notice" role="status" dir="auto">Added to your cart.');
    expect(cart).toContain("Cart (2)");

    await browser.post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "1" });
    expect((await browser.post("/actions/update_quantity", { sku: "MER-CRE-SWE-S-OAT", quantity: "3" })).status).toBe(303);
    expect(await html(await browser.get("/cart"), 200)).toContain('<td data-label="Quantity">3</td>');
    expect((await browser.post("/actions/remove_from_cart", { sku: "ENA-MUG-WHITE" })).status).toBe(303);

    // Without an option the cart's button starts the checkout pages (test/browser/checkout.test.ts); a form naming one orders.
    const start = await browser.post("/actions/checkout", {});
    expect(start.headers.get("location")).toBe("https://shop.example/checkout");
    const checkout = await browser.post("/actions/checkout", { deliveryOption: "pickup" });
    expect(checkout.status).toBe(303);
    const location = checkout.headers.get("location")!;
    expect(location).toMatch(/^https:\/\/shop\.example\/orders\/UN-[0-9A-Z]{8}$/);
    const orderPath = new URL(location).pathname;
    const order = await html(await browser.get(orderPath), 200);
    expect(order).toContain(`<h1>Order ${orderPath.slice(8)}</h1>`);
    expect(order).toContain("<dd>Placed</dd>");
    expect(order).toContain("€267.00");
    // The order page asks the NPS question as a form: a labelled 0–10 choice, posted as a number.
    expect(order).toMatch(
      /<label for="o\d-likelihood">How likely are you to recommend us\? From 0 \(not at all\) to 10 \(extremely\)<\/label>/,
    );
    expect(order).toContain('<option value="0">0 / 10</option>');
    expect((await browser.post("/actions/recommend", { likelihood: "9" })).status).toBe(303);
    expect(t.db.client.prepare("SELECT channel, score FROM nps_answers").all()).toEqual([{ channel: "web", score: 9 }]);

    await html(await new Browser().get(orderPath), 404);
  });

  it("shows the refusal with its status when the SKU is out of stock", async () => {
    const res = await new Browser().post("/actions/add_to_cart", { sku: "MER-CRE-SWE-M-NAVY", quantity: "1" });
    const body = await html(res, 409);
    expect(body).toContain("MER-CRE-SWE-M-NAVY is out of stock.");
  });

  it("accepts a quantity of 99, the most a line holds, and refuses 100 with a 400 page", async () => {
    const browser = new Browser();
    expect((await browser.post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "99" })).status).toBe(303);
    expect(await html(await browser.get("/cart"), 200)).toContain('<td data-label="Quantity">99</td>');
    await html(await new Browser().post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "100" }), 400);
    await html(await new Browser().post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "0" }), 400);
  });

  it("shows a 400 page for input the action does not take", async () => {
    const body = await html(await new Browser().post("/actions/add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: "lots" }), 400);
    expect(body).toContain("That did not work");
  });

  it("refuses a cross-site post with 403 and changes nothing", async () => {
    const browser = new Browser();
    const res = await browser.post("/actions/add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: "1" }, { origin: "https://evil.example" });
    expect(await html(res, 403)).toContain("Request refused");
    expect(browser.cookies.has("unison_session")).toBe(false);
    const count = t.db.client.prepare("SELECT COUNT(*) AS n FROM cart_lines").get() as { n: number };
    expect(count.n).toBe(0);
  });
});

describe("GET /h/:code (handoff)", () => {
  it("links this browser to the customer who asked and opens their cart", async () => {
    const auth = await t.auth("actions:invoke");
    const identity = { channel: "sms", externalId: "+33612345678" };
    const call = (key: string, input: unknown) =>
      t.request("POST", `/v1/actions/${key}`, {
        body: { channel: "sms", identity, input },
        headers: { ...auth, "idempotency-key": crypto.randomUUID() },
      });
    expect((await call("add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: 1 })).status).toBe(200);
    const handoff = (await (await call("handoff", { to: "web" })).json()) as { result: { handoff: { code: string } } };
    const browser = new Browser();
    const res = await browser.get(`/h/${handoff.result.handoff.code}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("https://shop.example/cart");
    expect(await html(await browser.get("/cart"), 200)).toContain("Merino crew sweater (S / Oat)");
    // Single use.
    await html(await new Browser().get(`/h/${handoff.result.handoff.code}`), 409);
  });

  it("is a 404 page for an unknown code", async () => {
    await html(await new Browser().get("/h/NOPE"), 404);
  });
});

describe("every storefront page", () => {
  it("is valid HTML: catalogue, category, search, product, message, cart, order, refusal and 404", async () => {
    const validator = new HtmlValidate({
      extends: ["html-validate:recommended"],
      // The doctype is written in lower case on purpose (both are valid); titles over 70 characters are SEO advice.
      rules: { "doctype-style": "off", "long-title": "off" },
    });
    const browser = new Browser();
    await browser.post("/actions/add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: "1" });
    const pages = [
      await browser.get("/cart"),
      await browser.get("/"),
      await browser.get("/categories/knitwear"),
      await browser.get("/?q=wool&locale=fr"),
      await browser.get("/products/merino-crew-sweater"),
      await browser.get("/messages/winter_sale"),
      await browser.get("/products/nope"),
      await browser.post("/actions/add_to_cart", { sku: "MER-CRE-SWE-M-NAVY" }),
    ];
    pages.push(await browser.get("/checkout"));
    const checkout = await browser.post("/actions/checkout", { deliveryOption: "pickup" });
    pages.push(await browser.get(new URL(checkout.headers.get("location")!).pathname));
    const problems: string[] = [];
    for (const res of pages) {
      const report = await validator.validateString(await res.text());
      for (const m of report.results.flatMap((r) => r.messages)) problems.push(`${res.status} ${m.ruleId}: ${m.message}`);
    }
    expect(problems).toEqual([]);
  });
});
