/**
 * The studio's pages: precompiled Handlebars (Workers forbid `Handlebars.compile`),
 * strict mode, HTML escaping on — every value is inserted with `{{ }}`, the web
 * preview included (it goes into `<iframe srcdoc="…">` as an escaped attribute).
 * Every page gets the studio's security headers and is never cached.
 */
import Handlebars from "handlebars/runtime";
import type { Context } from "hono";
import type { AppEnv } from "../lib/context";
import { hasScope } from "../lib/keys";
import { assetUrl } from "./assets";
import type { Session } from "./session";
import { type TemplateName, templates } from "./templates.generated";

const hb = Handlebars.create();
for (const name of ["layout", "field", "preview"] as const) hb.registerPartial(name, hb.template(templates[name]));
const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

function draw(name: TemplateName, data: unknown): string {
  let template = compiled.get(name);
  if (!template) {
    template = hb.template(templates[name]);
    compiled.set(name, template);
  }
  // Prototype access stays off (the runtime's default): templates see own properties only.
  return template(data);
}

/**
 * Scripts and styles only from the studio itself. `style-src` also lists the
 * hashes of the `<style>` elements of web previews: an `<iframe srcdoc>`
 * inherits its parent's policy, and the sandbox (no `allow-scripts`, no
 * `allow-same-origin`, no `allow-forms`) keeps the previewed page inert.
 */
export function securityHeaders(styleHashes: readonly string[] = []): Record<string, string> {
  const styles = ["'self'", ...styleHashes.map((h) => `'sha256-${h}'`)].join(" ");
  return {
    "content-security-policy": `default-src 'none'; script-src 'self'; style-src ${styles}; img-src 'self' data: https:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
  };
}

export type StudioContext = Context<AppEnv>;

export interface Chrome {
  title: string;
  signedIn: boolean;
  who: string;
  csrf: string;
  css: string;
  js: string;
  nav: { href: string; label: string; current: boolean }[];
  notice: string | null;
}

const NAV = [
  { href: "/studio", label: "Dashboard" },
  { href: "/studio/products", label: "Products" },
  { href: "/studio/messages", label: "Messages" },
  { href: "/studio/actions", label: "Actions" },
  { href: "/studio/customers", label: "Customers" },
  { href: "/studio/insights", label: "Insights" },
];

/** Notices shown after a redirect (post/redirect/get); only known codes, never free text from the URL. */
const NOTICES: Record<string, string> = {
  saved: "Draft saved.",
  unchanged: "Nothing changed: the draft is as it was.",
  published: "Published on every channel.",
  forced: "Published despite parity violations; the reason is in the audit log.",
  unpublished: "Unpublished: delivery no longer offers it.",
  rolledback: "Rolled back and published.",
  confirmed: "Override confirmed against the current base text.",
  signedout: "Signed out.",
  replied: "Reply queued: it leaves on the customer's channel within seconds.",
};

export function chrome(c: StudioContext, session: Session | null, title: string, section: string | null): Chrome {
  const notice = c.req.query("notice");
  return {
    title,
    signedIn: !!session,
    who: session ? `${session.principal.name}${hasScope(session.principal, "catalog:publish") ? " (can publish)" : ""}` : "",
    csrf: session?.csrf ?? "",
    css: assetUrl("studio.css"),
    js: assetUrl("studio.js"),
    nav: NAV.map((n) => ({ ...n, current: n.href === section })),
    notice: notice ? (NOTICES[notice] ?? null) : null,
  };
}

/** An HTML page with the studio's headers. */
export function sendPage(name: TemplateName, data: object, status = 200, styleHashes: readonly string[] = []): Response {
  return new Response(draw(name, data), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...securityHeaders(styleHashes) },
  });
}

/** A fragment (the live preview), same escaping, same headers. */
export function sendFragment(name: TemplateName, data: object, status = 200): Response {
  return new Response(draw(name, data), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...securityHeaders() },
  });
}

export function sendProblem(c: StudioContext, session: Session | null, status: number, heading: string, text: string, back = "/studio") {
  return sendPage("problem", { chrome: chrome(c, session, heading, null), heading, text, back }, status);
}
