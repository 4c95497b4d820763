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
import { HANDOFF_TTL_MS } from "../../src/journeys/handoffs";
import { createTestApp, type TestApp } from "../helpers/app";
import { BASE_URL, CONTENT_DIR } from "../helpers/demo";
import { dump } from "../helpers/snapshot";

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

  it("tells a French shopper why in French: no English detail, no SKU, no action key (as SMS and chat do)", async () => {
    const browser = new Browser();
    await browser.get("/products/merino-crew-sweater?locale=fr");
    const stock = await html(await browser.post("/actions/add_to_cart", { sku: "MER-CRE-SWE-M-NAVY", quantity: "1" }), 409);
    expect(stock).toContain("Il n&#x27;y en a pas assez en stock pour ce que vous demandez.");
    const input = await html(await browser.post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "100" }), 400);
    expect(input).toContain("Cette demande n&#x27;est pas valide");
    for (const body of [stock, input]) {
      expect(body).not.toContain("MER-CRE-SWE-M-NAVY");
      expect(body).not.toMatch(/out of stock|is invalid|add_to_cart&quot;/);
    }
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

describe("/h/:code (handoff links)", () => {
  /** An SMS shopper's cart and a handoff to the web, as the SMS channel asks for one: the link's code. */
  async function smsHandoff(phone = "+33612345678") {
    const auth = await t.auth("actions:invoke");
    const identity = { channel: "sms", externalId: phone };
    const call = (key: string, input: unknown) =>
      t.request("POST", `/v1/actions/${key}`, {
        body: { channel: "sms", identity, input },
        headers: { ...auth, "idempotency-key": crypto.randomUUID() },
      });
    const added = await call("add_to_cart", { sku: "MER-CRE-SWE-S-OAT", quantity: 2 });
    expect(added.status).toBe(200);
    const handoff = (await (await call("handoff", { to: "web" })).json()) as { customer: string; result: { handoff: { code: string } } };
    return { code: handoff.result.handoff.code, customer: handoff.customer };
  }

  /** A storefront shopper with a placed order (pick-up): their browser and the order's number. */
  async function shopperWithOrder() {
    const browser = new Browser();
    expect((await browser.post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "1" })).status).toBe(303);
    const placed = await browser.post("/actions/checkout", { deliveryOption: "pickup" });
    expect(placed.status, await placed.clone().text()).toBe(303);
    const number = new URL(placed.headers.get("location")!).pathname.split("/").pop()!;
    await html(await browser.get(`/orders/${number}`), 200);
    return { browser, number };
  }

  const customerOf = (session: string | undefined) =>
    (
      t.db.client.prepare("SELECT customer_id AS id FROM identities WHERE channel = 'web' AND external_id = ?").get(session) as
        | { id: string }
        | undefined
    )?.id;
  const redeemedAt = (code: string) =>
    (t.db.client.prepare("SELECT redeemed_at AS at FROM handoffs WHERE code = ?").get(code) as { at: string | null }).at;
  const confirmForm = (code: string) => `<form class="action" method="post" action="https://shop.example/h/${code}">`;

  it("GET shows what continuing does, with a button that posts, and changes nothing: no row, no session cookie, not cached", async () => {
    const { code } = await smsHandoff();
    const before = dump(t.db);
    const browser = new Browser();
    const res = await browser.get(`/h/${code}`);
    const body = await html(res, 200);
    expect(body).toContain('<h1 dir="auto">Continue your cart here</h1>');
    expect(body).toContain("Continue the cart from your SMS conversation on this browser. It holds 2 items.");
    expect(body).toContain(`${confirmForm(code)}\n<button type="submit">Continue here</button>\n</form>`);
    // Nothing about the other customer: no phone number, no product, no price.
    expect(body).not.toContain("+33612345678");
    expect(body).not.toContain("Merino");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(browser.cookies.size).toBe(0);
    expect(dump(t.db)).toEqual(before);
    // Opened again (a link preview, a second tap): still the same page, the code still unused.
    await html(await browser.get(`/h/${code.toLowerCase()}`), 200);
    expect(redeemedAt(code)).toBeNull();
  });

  it("speaks the shopper's language", async () => {
    const { code } = await smsHandoff();
    const body = await html(await new Browser().get(`/h/${code}`, { "accept-language": "fr-FR,fr;q=0.9" }), 200);
    expect(body).toContain('<html lang="fr" dir="ltr">');
    expect(body).toContain("Continuer sur ce navigateur le panier de votre conversation SMS. Il contient 2 articles.");
    expect(body).toContain('<button type="submit">Continuer ici</button>');
  });

  it("POST (the button, from the shop's own page) links this browser to the SMS customer and opens their cart; a code works once", async () => {
    const { code, customer } = await smsHandoff();
    const browser = new Browser();
    await html(await browser.get(`/h/${code}`), 200);
    const res = await browser.post(`/h/${code}`, {});
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get("location")).toBe("https://shop.example/cart");
    expect(customerOf(browser.cookies.get("unison_session"))).toBe(customer);
    const cart = await html(await browser.get("/cart"), 200);
    expect(cart).toContain("Merino crew sweater (S / Oat)");
    expect(cart).toContain('<td data-label="Quantity">2</td>');
    expect(cart).toContain('<p class="notice" role="status" dir="auto">Welcome back: your journey continues here.</p>');
    // Single use: another browser is told so, in a page, and joins no one.
    const other = new Browser();
    expect(await html(await other.get(`/h/${code}`), 409)).toContain("This link was already used.");
    expect(await html(await other.post(`/h/${code}`, {}), 409)).toContain("This link was already used.");
    expect(customerOf(other.cookies.get("unison_session"))).toBeUndefined();
  });

  it("the attack: a link from someone else's session neither moves a shopper with orders onto the sender's account nor shows it their next order", async () => {
    // (1) The victim has ordered on the storefront.
    const victim = await shopperWithOrder();
    const victimCustomer = customerOf(victim.browser.cookies.get("unison_session"))!;
    // (2) The attacker, in their own storefront session, asks for a link to the web.
    const attacker = new Browser();
    expect((await attacker.post("/actions/handoff", { to: "web" })).status).toBe(303);
    // The notice cookie holds the reply's text, URI-encoded by the storefront and again by the cookie.
    const notice = decodeURIComponent(decodeURIComponent(attacker.cookies.get("unison_notice") ?? ""));
    const code = /\/h\/([0-9A-Z]{8})\b/.exec(notice)?.[1];
    expect(code, notice).toBeDefined();
    const attackerCustomer = customerOf(attacker.cookies.get("unison_session"))!;
    expect(attackerCustomer).not.toBe(victimCustomer);

    // (3) The victim opens the link (a plain GET, from anywhere): a page saying this browser cannot continue there, no button.
    const before = dump(t.db);
    const shown = await html(await victim.browser.get(`/h/${code}`), 409);
    expect(shown).toContain("This browser already has its own cart");
    expect(shown).not.toContain(confirmForm(code!));
    expect(dump(t.db)).toEqual(before);
    // Even a POST the victim's browser makes (the same origin) is refused and changes nothing.
    expect(await html(await victim.browser.post(`/h/${code}`, {}), 409)).toContain("open the link in another browser or a private window");
    expect(dump(t.db)).toEqual(before);
    expect(redeemedAt(code!)).toBeNull();

    // The victim's order is still theirs, and (4) their next order too: the attacker sees neither.
    await html(await victim.browser.get(`/orders/${victim.number}`), 200);
    expect((await victim.browser.post("/actions/add_to_cart", { sku: "ENA-MUG-WHITE", quantity: "1" })).status).toBe(303);
    const again = await victim.browser.post("/actions/checkout", { deliveryOption: "pickup" });
    const second = new URL(again.headers.get("location")!).pathname;
    await html(await victim.browser.get(second), 200);
    await html(await attacker.get(second), 404);
    await html(await attacker.get(`/orders/${victim.number}`), 404);
    expect(customerOf(victim.browser.cookies.get("unison_session"))).toBe(victimCustomer);
    const owners = t.db.client.prepare("SELECT DISTINCT customer_id AS id FROM orders").all();
    expect(owners).toEqual([{ id: victimCustomer }]);
  });

  it("refuses a cross-site POST with the 403 page and changes nothing (no session either); the code still works from the shop", async () => {
    const { code, customer } = await smsHandoff();
    const before = dump(t.db);
    const browser = new Browser();
    expect(await html(await browser.post(`/h/${code}`, {}, { origin: "https://evil.example" }), 403)).toContain("Request refused");
    // A browser that sends no Origin still says where the form came from (Fetch Metadata).
    await html(await browser.post(`/h/${code}`, {}, { "sec-fetch-site": "cross-site" }), 403);
    await html(await browser.post(`/h/${code}`, {}, { origin: "null" }), 403);
    expect(browser.cookies.has("unison_session")).toBe(false);
    expect(dump(t.db)).toEqual(before);
    expect((await browser.post(`/h/${code}`, {}, { origin: BASE_URL, "sec-fetch-site": "same-origin" })).status).toBe(303);
    expect(customerOf(browser.cookies.get("unison_session"))).toBe(customer);
  });

  it("is a 404 page for an unknown code and a 410 page, on GET and POST alike, for an expired one", async () => {
    await html(await new Browser().get("/h/NOPE"), 404);
    expect(await html(await new Browser().get("/h/ZZZZZZZZ"), 404)).toContain("Page not found");
    await html(await new Browser().post("/h/ZZZZZZZZ", {}), 404);
    const { code } = await smsHandoff();
    t.now.setTime(t.now.getTime() + HANDOFF_TTL_MS);
    expect(await html(await new Browser().get(`/h/${code}`), 410)).toContain("This link has expired");
    await html(await new Browser().post(`/h/${code}`, {}), 410);
    expect(redeemedAt(code)).toBeNull();
  });
});

describe("every storefront page", () => {
  it("is valid HTML: catalogue, category, search, product, message, cart, order, refusal, 404 and handoff", async () => {
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
    // A handoff link's confirmation page, and the one a browser with a history of its own gets.
    const handoff = await t.request("POST", "/v1/actions/handoff", {
      body: { channel: "sms", identity: { channel: "sms", externalId: "+33612345670" }, input: { to: "web" } },
      headers: { ...(await t.auth("actions:invoke")), "idempotency-key": crypto.randomUUID() },
    });
    const code = ((await handoff.json()) as { result: { handoff: { code: string } } }).result.handoff.code;
    pages.push(await new Browser().get(`/h/${code}`), await browser.get(`/h/${code}`));
    const problems: string[] = [];
    for (const res of pages) {
      const report = await validator.validateString(await res.text());
      for (const m of report.results.flatMap((r) => r.messages)) problems.push(`${res.status} ${m.ruleId}: ${m.message}`);
    }
    expect(problems).toEqual([]);
  });
});
