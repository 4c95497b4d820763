/**
 * Signing in and out of the studio. The key goes into the session cookie (`session.ts`); a key that can
 * neither edit (`catalog:write`) nor serve customers (`customers:read`) is refused. Sign-in lands on the
 * page asked for (`next`, only a studio path) or the key's landing page.
 */
import type { Router } from "../lib/create-router";
import { authenticate, hasScope } from "../lib/keys";
import { guardedPage, staffLanding } from "./guard";
import { endSession, readSession, sameOrigin, startSession } from "./session";
import { chrome, sendPage, sendProblem } from "./view";

/** The sign-in form's target, carrying where to go afterwards. */
function signinAction(next: string | undefined): string {
  const target = safeNext(next);
  return target === "/studio" ? "/studio/signin" : `/studio/signin?next=${encodeURIComponent(target)}`;
}

/** A `next` target after sign-in: only a studio path of ours. */
function safeNext(next: string | undefined): string {
  return next && /^\/studio(\/[A-Za-z0-9._~%/?=&-]*)?$/.test(next) && !next.startsWith("//") ? next : "/studio";
}

export function registerSignin(app: Router) {
  app.get("/studio/signin", async (c) => {
    if (await readSession(c)) return c.redirect("/studio", 303);
    return sendPage("signin", { chrome: chrome(c, null, "Sign in", null), error: null, action: signinAction(c.req.query("next")) });
  });

  app.post("/studio/signin", async (c) => {
    if (!sameOrigin(c)) return sendProblem(c, null, 403, "Refused", "This form was posted from another site.", "/studio/signin");
    const body = await c.req.parseBody();
    const key = typeof body.key === "string" ? body.key.trim() : "";
    const principal = key ? await authenticate(c.get("db"), key) : null;
    const refuse = (status: number, error: string) =>
      sendPage("signin", { chrome: chrome(c, null, "Sign in", null), error, action: signinAction(c.req.query("next")) }, status);
    if (!principal) return refuse(401, "This key is unknown, malformed or revoked.");
    if (!hasScope(principal, "catalog:write") && !hasScope(principal, "customers:read"))
      return refuse(403, "This key cannot use the studio: it needs the catalog:write scope (editors) or customers:read (staff).");
    startSession(c, key);
    return c.redirect(staffLanding(principal, safeNext(c.req.query("next"))), 303);
  });

  // Any signed-in key may sign out, a staff key without catalog:write included (scope `null`), still behind
  // the Origin and CSRF checks of every studio POST. A stale or revoked cookie has no session: the guard
  // clears it and sends the browser to sign-in all the same.
  app.post(
    "/studio/signout",
    guardedPage(
      app,
      null,
      async (c) => {
        endSession(c);
        return c.redirect("/studio/signin?notice=signedout", 303);
      },
      "POST",
    ),
  );
}
