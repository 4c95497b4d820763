/**
 * One precompiled template per view kind, loaded into a channel's own
 * Handlebars runtime (`Handlebars.create()` per channel; templates come from
 * `scripts/build-templates.ts`, never `Handlebars.compile`). Exhaustive: a new view
 * kind does not compile until every channel has its template.
 */
import type { TemplateDelegate } from "handlebars";
import type { ViewKind } from "./contract";

/** A precompiled template as `scripts/build-templates.ts` writes it (opaque to us: the runtime reads it). */
type Spec = Parameters<typeof import("handlebars").template>[0];

interface Runtime {
  template(spec: Spec): TemplateDelegate;
}

/**
 * @example
 * const draw = viewTemplates(Handlebars.create(), templates);
 * draw.product(view);
 */
export function viewTemplates(hb: Runtime, templates: Record<ViewKind, Spec>): Record<ViewKind, TemplateDelegate> {
  return {
    product: hb.template(templates.product),
    product_list: hb.template(templates.product_list),
    message: hb.template(templates.message),
    cart: hb.template(templates.cart),
    order: hb.template(templates.order),
    action_result: hb.template(templates.action_result),
  };
}
