/**
 * Pages for customer-service and customer-experience staff (customers,
 * insights): the same session, CSRF and Origin checks as the editors' pages,
 * but the scope they need is `customers:read` — an agent's key need not edit
 * the catalogue, and an editor's key does not see customers.
 */
import type { Context } from "hono";
import type { AppEnv } from "../lib/context";
import type { Router } from "../lib/create-router";
import { ApiError } from "../lib/errors";
import { hasScope, type Principal, type Scope } from "../lib/keys";
import { type Api, ApiFailure, apiClient } from "./api";
import { type FormValues, formValues } from "./forms";
import { endSession, readSession, type Session, sameOrigin, tokensEqual } from "./session";
import { type StudioContext, sendProblem } from "./view";

export type StaffHandler = (c: StudioContext, session: Session, api: Api, values: FormValues) => Promise<Response>;

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
 * Wraps a studio page, the editors' and the staff's alike: a session (else sign-in), the page's scope, for
 * POSTs the Origin and CSRF checks; an API call that fails shows its error, never an empty page that looks
 * like data.
 */
export function guardedPage(
  app: Router,
  scope: Scope,
  handler: StaffHandler,
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
    if (!hasScope(session.principal, scope)) return sendProblem(c, session, 403, denied.title, denied.detail);
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
