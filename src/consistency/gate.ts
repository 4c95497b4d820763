/**
 * The publish gate: before a product, message or action goes live, render it
 * on every channel and locale through the delivery code path and refuse with
 * 422 `parity_failed` (every violation listed) when channels would disagree.
 * An editor with `catalog:publish` may force it with a reason; the reason and
 * the violations it overrode go to the audit log.
 */

import { actionView } from "../catalogue/actions";
import type { ActionDoc, MessageDoc, ProductDoc } from "../catalogue/documents";
import type { BeforePublish } from "../catalogue/entries";
import { overridesAlong } from "../catalogue/locales";
import { inventoryFor, stockLevels } from "../catalogue/products";
import type { Database } from "../db/client";
import { ApiError } from "../lib/errors";
import {
  type AuditEnv,
  type AuditScope,
  auditScope,
  auditSubject,
  type EntityAudit,
  keywordConflicts,
  labelViolations,
  liveProductPages,
} from "./audit";
import type { RenderCache } from "./cache";
import type { Registry, Violation } from "./engine";

export interface GateOptions {
  registry: Registry;
  baseUrl: string;
  cache?: RenderCache | undefined;
}

/** Audits a document as it would be published (a draft, a revision to roll back to), without writing anything. */
export async function auditDocument(
  db: Database,
  input: { type: "product" | "message" | "action"; entryId: string; doc: unknown; now: Date; revision: number },
  options: GateOptions & { withRenders?: boolean },
): Promise<EntityAudit> {
  const scope = await auditScope(db, options.baseUrl);
  const env: AuditEnv = { registry: options.registry, baseUrl: options.baseUrl, now: input.now, cache: options.cache };
  const meta = { revision: input.revision, publishedAt: input.now.toISOString() };
  if (input.type === "product") {
    const doc = input.doc as ProductDoc;
    const stock = stockLevels(await inventoryFor(db, [input.entryId]));
    return auditSubject({ type: "product", doc, stock, meta }, scope, env, { withRenders: options.withRenders ?? false });
  }
  if (input.type === "message") {
    return auditSubject({ type: "message", doc: input.doc as MessageDoc, meta }, scope, env, { withRenders: options.withRenders ?? false });
  }
  const doc = input.doc as ActionDoc;
  const violations = [...keywordConflicts(doc, scope.perLocale[0]?.actionViews ?? []), ...labelViolations(doc, scope.locales)];
  if (doc.enabled && doc.appliesTo.includes("product")) violations.push(...(await productsWithAction(db, doc, scope, env)));
  return { entity: { type: "action", key: doc.key }, violations, renders: [] };
}

/** Editorial rules of a product itself: not the action's concern. */
const OWN_RULES = new Set(["stale_override", "override_claims", "override_entity"]);

/**
 * An action gates like an entity: with the draft in the catalogue, every live product it applies to is
 * rendered on every channel, format and locale, and what would break there (an offer that does not
 * decode with its argument, a label with no visible name, an SMS over budget) refuses the action.
 */
async function productsWithAction(db: Database, doc: ActionDoc, scope: AuditScope, env: AuditEnv): Promise<Violation[]> {
  const draft: AuditScope = {
    ...scope,
    perLocale: scope.perLocale.map((p) => {
      const view = actionView(doc, { revision: 0, publishedAt: env.now.toISOString() }, p.ctx);
      const actions = [...p.actions.filter((a) => a.view.key !== doc.key), { view, overrides: overridesAlong(doc, p.ctx.chain) }];
      return { ...p, actions, actionViews: actions.map((a) => a.view) };
    }),
    stamp: `${scope.stamp}+action:${doc.key}:${JSON.stringify(doc)}`,
  };
  const out: Violation[] = [];
  for await (const page of liveProductPages(db)) {
    for (const subject of page) {
      for (const v of auditSubject(subject, draft, env).violations) if (!OWN_RULES.has(v.rule)) out.push(v);
    }
  }
  return out;
}

/** The problem a refused publish answers with. */
export function parityFailed(violations: readonly Violation[]): ApiError {
  const channels = [...new Set(violations.map((v) => v.channel).filter(Boolean))].join(", ");
  return new ApiError(
    "parity_failed",
    `Publishing would make channels disagree: ${violations.length} violation(s)${channels ? ` on ${channels}` : ""}. Fix them, or force with a reason.`,
    { extra: { violations } },
  );
}

/**
 * @example
 * createApp({ …, beforePublish: publishGate({ registry: renderers, baseUrl }) });
 */
export function publishGate(options: GateOptions): BeforePublish {
  return async ({ db, now, type, entryId, doc, force }) => {
    const audit = await auditDocument(db, { type, entryId, doc, now, revision: 0 }, options);
    if (!audit.violations.length) return undefined;
    if (!force) throw parityFailed(audit.violations);
    return { overridden: audit.violations };
  };
}
