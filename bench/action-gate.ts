/**
 * What publishing one action costs (issue #11, "actions gate like entities"): the gate audit of a draft
 * action that applies to products renders every live product with it, on every channel, format and
 * locale — O(live products), once per action — against the gate audit of one product. CPU seconds.
 *
 *   npx tsx bench/action-gate.ts [--products 1000]
 */
import { renderers } from "../renderers";
import { findLiveProduct } from "../src/catalogue/products";
import { auditDocument } from "../src/consistency/gate";
import { generatedProduct } from "./catalogue";
import { seededWithActions } from "./render";

const args = process.argv.slice(2);
const products = args.includes("--products") ? Number(args[args.indexOf("--products") + 1]) : 1000;
const db = await seededWithActions(products);
const options = { registry: renderers, baseUrl: "https://shop.example" };
const live = await findLiveProduct(db, generatedProduct(Math.floor(products / 2)).slug);
if (!live) throw new Error("no product");
const cpu = async (run: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
};
let revision = 0;
const product = () =>
  auditDocument(db, { type: "product", entryId: live.entryId, doc: live.doc, now: new Date(), revision: ++revision }, options);
const action = (appliesTo: ("product" | "cart")[]) =>
  auditDocument(
    db,
    {
      type: "action",
      entryId: "draft",
      revision: 0,
      now: new Date(),
      doc: {
        key: "gift_wrap",
        label: { en: "Gift wrap" },
        confirmation: { en: "Wrapped." },
        appliesTo,
        enabled: true,
        keyword: "GIFT",
        overrides: [],
      },
    },
    options,
  );
await product();
const one: number[] = [];
for (let i = 0; i < 21; i++) one.push(await cpu(product));
one.sort((a, b) => a - b);
const forProducts = await cpu(() => action(["product"]));
const forCart = await cpu(() => action(["cart"]));
console.log(`Gate audit, ${products} live products (CPU seconds)`);
console.log(`  one product: median ${one[10]!.toFixed(4)} s`);
console.log(`  an action that applies to products: ${forProducts.toFixed(2)} s (${(forProducts / one[10]!).toFixed(0)} × one product)`);
console.log(`  an action that applies to carts only: ${forCart.toFixed(4)} s (no product is rendered)`);
db.close();
