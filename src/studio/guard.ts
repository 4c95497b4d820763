/**
 * The studio's one guard, around every page but sign-in and the assets: the
 * session cookie authenticated again (else sign-in), for POSTs the Origin and
 * the CSRF token, then the page's scope. Editors' pages need `catalog:write`
 * (`editorPage`); the pages for customer-service and customer-experience staff
 * (customers, insights) need `customers:read` — an agent's key need not edit
 * the catalogue, and an editor's key does not see customers. Sign-out needs no
 * scope (`null`): any key that could sign in can sign out.
 */
import type { Context } from "hono";
import type { AppEnv } from "../lib/context";
import type { Router } from "../lib/create-router";
import { ApiError } from "../lib/errors";
import { hasScope, type Principal, type Scope } from "../lib/keys";
import { type Api, ApiFailure, apiClient } from "./api";
import { type FormValues, formValues, KIND_NAMES } from "./forms";
import { endSession, readSession, type Session, sameOrigin, tokensEqual } from "./session";
import { type StudioContext, sendProblem } from "./view";

export type PageHandler = (c: StudioContext, session: Session, api: Api, values: FormValues) => Promise<Response>;

/** Where a fresh sign-in lands: the page asked for, or for a staff-only key the customers page instead of the editors' dashboard. */
export function staffLanding(principal: Principal, next: string): string {
  return next === "/studio" && !hasScope(principal, "catalog:write") ? "/studio/customers" : next;
}

/** What a page answers a signed-in key that lacks its scope. */
export interface Denial {
  title: string;
  detail: string;
}

/**
 * Wraps a studio page, the editors' and the staff's alike: a session (else sign-in), the page's scope (`null`:
 * any signed-in key), for POSTs the Origin and CSRF checks; an API call that fails shows its error, never an
 * empty page that looks like data.
 */
export function guardedPage(
  app: Router,
  scope: Scope | null,
  handler: PageHandler,
  method: "GET" | "POST" = "GET",
  denied: Denial = { title: "Not allowed", detail: `This key cannot see this page (it needs the ${scope} scope).` },
) {
  return async (c: Context<AppEnv>) => {
    const session = await readSession(c);
    if (!session) {
      endSession(c);
      const next = method === "GET" ? `?next=${encodeURIComponent(new URL(c.req.url).pathname)}` : "";
      return c.redirect(`/studio/signin${next}`, 303);
    }
    c.set("principal", session.principal);
    let values: FormValues = new Map();
    if (method === "POST") {
      if (!sameOrigin(c)) return sendProblem(c, session, 403, "Refused", "This form was posted from another site.");
      values = formValues(await c.req.parseBody({ all: true }));
      if (!tokensEqual(values.get("_csrf") ?? "", session.csrf)) {
        return sendProblem(c, session, 403, "Refused", "The form's security token is missing or wrong. Reload the page and try again.");
      }
    }
    if (scope !== null && !hasScope(session.principal, scope)) return sendProblem(c, session, 403, denied.title, denied.detail);
    try {
      return await handler(c, session, apiClient(app, c, session), values);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return sendProblem(c, session, 404, "Not found", error.message);
      if (error instanceof ApiFailure) {
        const status = error.status >= 500 ? 502 : error.status;
        return sendProblem(c, session, status, "Could not load this page", `The API ${error.message}`);
      }
      throw error;
    }
  };
}

const EDITORS_ONLY: Denial = {
  title: "Not an editor key",
  detail: "This key cannot edit the catalogue (it needs the catalog:write scope).",
};

/**
 * Mounts an editor's page or form: the studio's one guard, with the catalog:write scope. A path with `:kind`
 * is mounted once per kind, as a literal (`/studio/products/:key`): a `/studio/:kind/:key` beside
 * `/studio/customers/:id` is a pair of routes hono's RegExpRouter cannot compile, and one such pair made every
 * request of the app, API and storefront included, go through the slower trie router. A kind that is none of
 * these is then no route (404 `route_not_found`).
 */
export function editorRoute(app: Router, method: "GET" | "POST", path: string, handler: PageHandler) {
  const page = guardedPage(app, "catalog:write", handler, method, EDITORS_ONLY);
  const paths = path.includes("/:kind") ? KIND_NAMES.map((kind) => path.replace("/:kind", `/${kind}`)) : [path];
  for (const literal of paths) {
    if (method === "GET") app.get(literal, page);
    else app.post(literal, page);
  }
}
