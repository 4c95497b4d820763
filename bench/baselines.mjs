/**
 * The baselines of the paired benchmark (bench/paired.ts), plain JavaScript run by plain node:
 *
 *   node bench/baselines.mjs a <port> <json file>   A: bare Hono + @hono/node-server, a constant JSON body
 *   node bench/baselines.mjs b <port> <db file>     B: Hono + better-sqlite3 prepared statements:
 *        GET /json/:slug   the product row and its variants as JSON
 *        GET /html/:slug   the same as an HTML page from a Handlebars template compiled once at start
 */
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import BetterSqlite3 from "better-sqlite3";
import Handlebars from "handlebars";
import { Hono } from "hono";

const [mode, , path] = process.argv.slice(2);
const port = process.env.PORT;
const app = new Hono();
if (mode === "a") {
  const body = readFileSync(path, "utf8");
  app.get("*", (c) => c.body(body, 200, { "content-type": "application/json" }));
} else {
  const db = new BetterSqlite3(path, { readonly: true });
  const product = db.prepare(
    "SELECT r.document AS document FROM published_products p JOIN revisions r ON r.id = p.revision_id WHERE p.slug = ?",
  );
  const stock = db.prepare("SELECT sku, stock FROM inventory WHERE entry_id = (SELECT entry_id FROM published_products WHERE slug = ?)");
  const load = (slug) => {
    const row = product.get(slug);
    if (!row) return null;
    const doc = JSON.parse(row.document);
    const levels = new Map(stock.all(slug).map((s) => [s.sku, s.stock]));
    return { ...doc, variants: doc.variants.map((v) => ({ ...v, stock: levels.get(v.sku) ?? 0 })) };
  };
  const page = Handlebars.compile(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{title.en}}</title><link rel="stylesheet" href="/assets/shop.css"></head>
<body><header><a href="/">Shop</a><nav>{{#each categories}}<a href="/categories/{{this}}">{{this}}</a>{{/each}}</nav></header>
<main><h1>{{title.en}}</h1><p>{{summary.en}}</p><p>{{description.en}}</p>
<table>{{#each variants}}<tr><td>{{sku}}</td><td>{{options.size}}</td><td>{{prices.EUR}}</td><td>{{stock}}</td>
<td><form method="post" action="/actions/add_to_cart"><input type="hidden" name="sku" value="{{sku}}"><button>Add to cart</button></form></td></tr>{{/each}}</table>
</main></body></html>`,
  );
  // The harness waits for a 200 here, as it does for every server it starts.
  app.get("/healthz", (c) => c.text("ok"));
  app.get("/json/:slug", (c) => {
    const doc = load(c.req.param("slug"));
    return doc ? c.json(doc) : c.notFound();
  });
  app.get("/html/:slug", (c) => {
    const doc = load(c.req.param("slug"));
    return doc ? c.html(page(doc)) : c.notFound();
  });
}
serve({ fetch: app.fetch, port: Number(port), hostname: "127.0.0.1" }, () => console.log("ready"));
