/**
 * The engine judges bodies, not manifests: each test breaks one channel's
 * output on purpose and expects the rule it breaks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { smsRenderer } from "../../renderers/sms";
import type { Renderer } from "../../src/channels/contract";
import { auditScope, auditSubject, keywordConflicts } from "../../src/consistency/audit";
import { type CheckContext, checkChannel, pagesOf } from "../../src/consistency/engine";
import { BASE_URL, type Demo, loadDemo } from "../helpers/demo";

let demo: Demo;
let ctx: CheckContext;
const entity = { type: "product" as const, key: "merino-crew-sweater" };

beforeAll(async () => {
  demo = await loadDemo();
  ctx = {
    baseUrl: BASE_URL,
    actions: await demo.actions("en"),
    pageExists: pagesOf({ products: new Set(["merino-crew-sweater"]), messages: new Set(["winter_sale"]), categories: new Set() }),
  };
});

/** The SMS renderer with its body rewritten after rendering — the manifest still claims everything. */
function tampered(rewrite: (body: string) => string): Renderer {
  return {
    ...smsRenderer,
    render: (view, options) => ({ ...smsRenderer.render(view, options), body: rewrite(smsRenderer.render(view, options).body) }),
  };
}

describe("consistency engine", () => {
  it("finds every fact and action of a demo product in its SMS body, with no violations", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const { violations, rendered } = checkChannel(smsRenderer, view, entity, ctx);
    expect(violations).toEqual([]);
    expect(rendered).toHaveLength(1);
  });

  it("reports an action dropped from the body even though the manifest still lists it", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const broken = tampered((body) => body.replace(/ADD [A-Z0-9-]+ \([^)]*\)/, ""));
    const { violations, rendered } = checkChannel(broken, view, entity, ctx);
    expect(rendered[0]?.manifest.actions.map((a) => a.key)).toContain("add_to_cart");
    expect(violations.map((v) => [v.rule, v.channel, v.locale])).toEqual([["action_missing", "sms", "en"]]);
    expect(violations[0]?.detail).toContain("add_to_cart");
  });

  it("reports a price formatted differently from the view model's string", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const broken = tampered((body) => body.replace("€89.00", "89 EUR"));
    const { violations } = checkChannel(broken, view, entity, ctx);
    expect(violations).toEqual([
      expect.objectContaining({ rule: "fact_missing", field: "variants", detail: expect.stringContaining("€89.00") }),
    ]);
  });

  it("reports an SMS over its segment budget as a broken limit", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const broken = tampered((body) => `${body}\n${"x".repeat(500)}`);
    const { violations } = checkChannel(broken, view, entity, ctx);
    expect(violations).toEqual([
      expect.objectContaining({
        rule: "limit_exceeded",
        detail: expect.stringMatching(/^sms\.segments: 5 segments \(GSM-7\); the budget is 3\.$/),
      }),
    ]);
  });

  it("reports a title the SMS budget forced it to cut: the fact no longer appears", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const long = {
      ...view,
      title: "Merino ".repeat(80).trim(),
      facts: view.facts.map((f) => (f.name === "title" ? { ...f, value: "Merino ".repeat(80).trim() } : f)),
    };
    const { violations, rendered } = checkChannel(smsRenderer, long, entity, ctx);
    expect(rendered[0]?.manifest.degradations.map((d) => d.rule)).toContain("sms.segments");
    expect(violations.map((v) => [v.rule, v.field])).toContainEqual(["fact_missing", "title"]);
  });

  it("reports links off the shop's domain and links to pages that are not live", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const foreign = tampered((body) => `${body}\nhttps://bit.ly/x`);
    expect(checkChannel(foreign, view, entity, ctx).violations).toEqual([expect.objectContaining({ rule: "link_foreign" })]);
    const dead = tampered((body) => body.replace("/products/merino-crew-sweater", "/products/no-such-thing"));
    expect(checkChannel(dead, view, entity, ctx).violations).toEqual([expect.objectContaining({ rule: "link_dead" })]);
  });

  it("turns a render that throws (a missing template variable) into a violation, never a blank", async () => {
    const view = await demo.product("merino-crew-sweater", "sms");
    const throwing: Renderer = {
      ...smsRenderer,
      render: () => {
        throw new Error('"title" not defined in [object Object]');
      },
    };
    expect(checkChannel(throwing, view, entity, ctx).violations).toEqual([
      expect.objectContaining({ rule: "render_failed", detail: expect.stringContaining("title") }),
    ]);
  });

  it("flags a stale override and a keyword another action already uses", async () => {
    const scope = await auditScope(demo.db, BASE_URL);
    const view = await demo.product("merino-crew-sweater", "sms");
    expect(view.title).toBe("Merino crew"); // the demo store's SMS override, current
    const live = (await import("../../src/catalogue/products")).findLiveProduct;
    const product = await live(demo.db, "merino-crew-sweater");
    const doc = { ...product!.doc, title: { ...product!.doc.title, en: "Merino crew-neck jumper" } };
    const audit = auditSubject(
      { type: "product", doc, stock: new Map(), meta: { revision: 9, publishedAt: demo.now.toISOString() } },
      scope,
      { registry: { sms: smsRenderer } as never, baseUrl: BASE_URL, now: demo.now, channels: ["sms"] },
    );
    expect(audit.violations).toContainEqual(
      expect.objectContaining({ rule: "stale_override", channel: "sms", locale: "en", field: "overrides/sms/en/title" }),
    );
    expect(keywordConflicts({ key: "new_thing", keyword: "ADD" }, await demo.actions())).toEqual([
      expect.objectContaining({ rule: "keyword_conflict", detail: expect.stringContaining("add_to_cart") }),
    ]);
    expect(keywordConflicts({ key: "add_to_cart", keyword: "ADD" }, await demo.actions())).toEqual([]);
  });

  it("audits a live entity against the shared live pages without copying them, and a draft with its own page added", async () => {
    const scope = await auditScope(demo.db, BASE_URL);
    // Counts every walk over the live product slugs: copying the set for each entity made a full audit quadratic.
    let walks = 0;
    class CountingSet extends Set<string> {
      override [Symbol.iterator]() {
        walks++;
        return super[Symbol.iterator]();
      }
      override values() {
        walks++;
        return super.values();
      }
    }
    const counted = { ...scope, live: { ...scope.live, products: new CountingSet(scope.live.products) } };
    const env = { registry: { sms: smsRenderer } as never, baseUrl: BASE_URL, now: demo.now, channels: ["sms"] as const };
    const { findLiveProduct } = await import("../../src/catalogue/products");
    const live = await findLiveProduct(demo.db, "merino-crew-sweater");
    const meta = { revision: 1, publishedAt: demo.now.toISOString() };
    const published = auditSubject({ type: "product", doc: live!.doc, stock: new Map(), meta }, counted, env);
    expect(published.violations).toEqual([]);
    expect(walks).toBe(0);

    // A draft under a new slug links to its own page: that page counts as live for its own audit only.
    const draft = auditSubject({ type: "product", doc: { ...live!.doc, slug: "merino-crew-draft" }, stock: new Map(), meta }, counted, env);
    expect(draft.violations.filter((v) => v.rule === "link_dead")).toEqual([]);
    expect(walks).toBe(1);
    expect(counted.live.products.has("merino-crew-draft")).toBe(false);
  });
});
