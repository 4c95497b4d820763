/**
 * The studio in-process: the demo catalogue (content/) in a fresh database, the
 * real app, and a small browser-like client — a cookie jar, same-origin form
 * posts, and the fields of a page's form read from its HTML (so a test submits
 * exactly what the page offers, like a browser without JavaScript).
 */
import { DomUtils, parseDocument } from "htmlparser2";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { createApiKey, type Scope } from "../../src/lib/keys";
import { csrfToken } from "../../src/studio/session";
import { BASE_URL, loadDemo } from "../helpers/demo";

export const EDITOR: Scope[] = ["catalog:read", "catalog:write"];
export const PUBLISHER: Scope[] = ["catalog:read", "catalog:write", "catalog:publish"];

export async function studioApp(config: Record<string, string> = {}) {
  const { db, now } = await loadDemo();
  const app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: BASE_URL, ...config }),
    clock: () => now,
    log: () => {},
  });
  return {
    app,
    db,
    async key(...scopes: Scope[]) {
      return (await createApiKey(db, { name: `editor ${scopes.join(" ")}`, scopes }, now)).secret;
    },
    /** A JSON API call with a key (to check what the studio did through the API). */
    async api(key: string, method: string, path: string, body?: unknown, version?: number) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (version !== undefined) headers["if-match"] = `"v${version}"`;
      const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    },
    client() {
      return new Client(app);
    },
  };
}

export class Client {
  cookies = new Map<string, string>();
  csrf = "";
  constructor(private app: ReturnType<typeof createApp>) {}

  private headers(extra: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return { ...(cookie ? { cookie } : {}), ...extra };
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string) {
    return this.remember(await this.app.request(path, { headers: this.headers() }));
  }

  /** Posts a form as a same-origin browser does (urlencoded, Origin header); `_csrf` is added unless given. */
  async post(
    path: string,
    fields: Record<string, string> | Map<string, string>,
    options: { origin?: string | null; csrf?: string | null; headers?: Record<string, string> } = {},
  ) {
    const body = new URLSearchParams(fields instanceof Map ? [...fields] : Object.entries(fields));
    if (!body.has("_csrf") && options.csrf !== null) body.set("_csrf", options.csrf ?? this.csrf);
    const origin = options.origin === undefined ? BASE_URL : options.origin;
    return this.remember(
      await this.app.request(path, {
        method: "POST",
        headers: this.headers({ "content-type": "application/x-www-form-urlencoded", ...(origin ? { origin } : {}), ...options.headers }),
        body: body.toString(),
      }),
    );
  }

  async signIn(key: string) {
    const res = await this.post("/studio/signin", { key }, { csrf: null });
    this.csrf = await csrfToken(key);
    return res;
  }
}

/** The successful fields of a form in a page, in document order (what a browser would submit, without a submit button). */
export function formFields(html: string, formId: string): Map<string, string> {
  const dom = parseDocument(html);
  const form = DomUtils.findOne((e) => e.name === "form" && e.attribs.id === formId, dom.children, true);
  if (!form) throw new Error(`no form #${formId}`);
  const fields = new Map<string, string>();
  for (const el of DomUtils.findAll((e) => ["input", "textarea", "select"].includes(e.name), form.children)) {
    const name = el.attribs.name;
    if (!name || el.attribs.disabled !== undefined) continue;
    if (el.name === "textarea") fields.set(name, DomUtils.textContent(el).replace(/^\n/, ""));
    else if (el.name === "select") {
      const options = DomUtils.findAll((e) => e.name === "option", el.children);
      const chosen = options.find((o) => o.attribs.selected !== undefined) ?? options[0];
      fields.set(name, chosen?.attribs.value ?? "");
    } else if (el.attribs.type === "checkbox") {
      if (el.attribs.checked !== undefined) fields.set(name, el.attribs.value ?? "on");
    } else fields.set(name, el.attribs.value ?? "");
  }
  return fields;
}

/** The text of the element with an id (the error next to a field, a preview section …). */
export function textOf(html: string, id: string): string | null {
  const dom = parseDocument(html);
  const el = DomUtils.findOne((e) => e.attribs.id === id, dom.children, true);
  return el ? DomUtils.textContent(el) : null;
}
