/**
 * The side-by-side preview: a document (saved or not) audited by
 * `auditDocument` — the publish gate's own function, rendering through the
 * registry exactly as delivery does — then drawn for editors: the web page in
 * a sandboxed `<iframe srcdoc>`, the mobile screen's components in a phone
 * frame, the SMS as a bubble with its encoding and segments (`smsInfo`), and
 * each chat format read back by the chat renderer's own `inspect` as a bubble
 * with its buttons. Nothing is written.
 */
import type { LocaleSet } from "../catalogue/locales";
import type { InspectOptions, Renderer } from "../channels/contract";
import { smsInfo } from "../channels/sms-text";
import { auditScope } from "../consistency/audit";
import type { Violation } from "../consistency/engine";
import { auditDocument } from "../consistency/gate";
import { sha256Base64 } from "./crypto";
import { type Doc, type FieldSpec, fieldId, labelFor, violationTarget } from "./forms";
import type { StudioContext } from "./view";

const CHAT_LABELS: Record<string, string> = {
  generic: "Generic chat",
  whatsapp: "WhatsApp",
  slack: "Slack",
  telegram: "Telegram",
  messenger: "Messenger",
};

interface MobileComponent {
  type: string;
  text: string;
  img: { url: string; alt: string } | null;
  sub: string | null;
  items: { label: string; value: string }[];
}

export interface PreviewData {
  ok: boolean;
  count: number;
  unsaved: boolean;
  note: string | null;
  parseErrors: { href: string; label: string; message: string }[];
  violations: (Violation & { href: string; fieldLabel: string; where: string })[];
  locales: {
    code: string;
    name: string;
    open: boolean;
    web: string;
    mobile: { title: string; components: MobileComponent[]; actions: string[] };
    sms: { text: string; encoding: string; segments: number; units: number };
    chat: { format: string; label: string; text: string; buttons: string[] }[];
    /** The agent's CommonMark source (shown as source: it is what the model reads) and its tool calls. */
    agent: { markdown: string; tools: string[] };
  }[];
  /** Base64 SHA-256 of each `<style>` of the web previews (for the page's CSP). */
  styleHashes: string[];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** One mobile component as the phone mock draws it; unknown types show their text fallback (the screen's own rule). */
function mobileComponent(c: Record<string, unknown>): MobileComponent {
  const type = str(c.type);
  const fallback = str((c.fallback as { text?: unknown } | undefined)?.text);
  const out: MobileComponent = { type: /^[A-Za-z]+$/.test(type) ? type : "unknown", text: fallback, img: null, sub: null, items: [] };
  switch (type) {
    case "image":
      out.img = { url: str(c.url), alt: str(c.alt) };
      break;
    case "heading":
    case "text":
    case "badge":
    case "notice":
    case "link":
      out.text = str(c.text);
      break;
    case "price":
      out.text = str(c.text);
      out.sub = typeof c.compareAt === "string" ? c.compareAt : null;
      break;
    case "button":
      out.text = str(c.label);
      break;
    case "keyValue":
      out.text = "";
      out.items = ((c.items as Record<string, unknown>[]) ?? []).map((i) => ({ label: str(i.label), value: str(i.value) }));
      break;
    case "variantPicker":
      out.text = str(c.label);
      out.items = ((c.options as Record<string, unknown>[]) ?? []).map((o) => ({
        label: str(o.title),
        value: `${str(o.price)} · ${str(o.availabilityText)}`,
      }));
      break;
    case "list":
      out.text = "";
      out.items = ((c.items as Record<string, unknown>[]) ?? []).map((i) => ({ label: str(i.title), value: str(i.subtitle) }));
      break;
  }
  return out;
}

/** The agent's text and its tool calls (`add_to_cart {"sku":…}`), read back by the agent renderer's own inspector. */
function agentPreview(
  body: string,
  inspect: Renderer["inspect"],
  options: { baseUrl: string; actions: InspectOptions["actions"] },
): PreviewData["locales"][number]["agent"] {
  try {
    const result = JSON.parse(body) as { content?: { text?: string }[] };
    const seen = inspect(body, { format: "mcp", ...options });
    return {
      markdown: (result.content ?? []).map((c) => str(c.text)).join("\n\n"),
      tools: seen.controls.map((x) => `${x.label}: ${x.decoded ? `${x.decoded.key} ${JSON.stringify(x.decoded.input)}` : "—"}`),
    };
  } catch {
    return { markdown: "", tools: [] };
  }
}

function mobileScreen(body: string): PreviewData["locales"][number]["mobile"] {
  try {
    const screen = JSON.parse(body) as {
      screen?: { title?: string };
      sections?: { components?: Record<string, unknown>[] }[];
      actions?: { label?: string }[];
    };
    return {
      title: str(screen.screen?.title),
      components: (screen.sections ?? []).flatMap((s) => (s.components ?? []).map(mobileComponent)),
      actions: (screen.actions ?? []).map((a) => str(a.label)),
    };
  } catch {
    return { title: "The screen is not valid JSON.", components: [], actions: [] };
  }
}

/**
 * Audits `doc` on every channel, format and locale and shapes the result for the preview template.
 *
 * @example
 * const data = await buildPreview(c, { type: "product", entryId, revision, doc, specs, locales, unsaved: true });
 */
export async function buildPreview(
  c: StudioContext,
  input: {
    type: "product" | "message" | "action";
    entryId: string;
    revision: number;
    doc: Doc | null;
    specs: readonly FieldSpec[];
    locales: LocaleSet;
    unsaved: boolean;
    errors?: Map<string, string>;
  },
): Promise<PreviewData> {
  const parseErrors = [...(input.errors ?? new Map<string, string>())].map(([name, message]) => ({
    href: `#${fieldId(name)}`,
    label: labelFor(input.specs, name),
    message,
  }));
  if (!input.doc) {
    return {
      ok: false,
      count: parseErrors.length,
      unsaved: input.unsaved,
      note: "Fix the fields above to see the preview.",
      parseErrors,
      violations: [],
      locales: [],
      styleHashes: [],
    };
  }
  const db = c.get("db");
  const baseUrl = c.get("config").PUBLIC_BASE_URL;
  const registry = c.get("renderers");
  const [audit, scope] = await Promise.all([
    auditDocument(
      db,
      { type: input.type, entryId: input.entryId, doc: input.doc, now: c.get("clock")(), revision: input.revision },
      { registry, baseUrl, cache: c.get("renderCache"), withRenders: true },
    ),
    auditScope(db, baseUrl),
  ]);
  const violations = audit.violations.map((v) => {
    const target = violationTarget(v, input.doc, input.specs);
    return {
      ...v,
      channel: v.channel,
      field: v.field ?? "",
      href: target.href,
      fieldLabel: target.label,
      where: [v.format, v.locale].filter(Boolean).join(", ") || "every locale",
    };
  }) as PreviewData["violations"];
  const styles = new Set<string>();
  const locales: PreviewData["locales"] = [];
  for (const [index, row] of input.locales.rows.entries()) {
    const renders = audit.renders.filter((r) => r.locale === row.code);
    if (!renders.length) continue;
    const actions = scope.perLocale.find((p) => p.ctx.locale === row.code)?.actionViews ?? [];
    const web = renders.find((r) => r.channel === "web")?.body ?? "";
    for (const m of web.matchAll(/<style>([\s\S]*?)<\/style>/g)) styles.add(m[1] ?? "");
    const sms = renders.find((r) => r.channel === "sms")?.body ?? "";
    const info = smsInfo(sms);
    locales.push({
      code: row.code,
      name: row.name,
      open: index === 0,
      web,
      mobile: mobileScreen(renders.find((r) => r.channel === "mobile")?.body ?? "{}"),
      sms: { text: sms, ...info },
      chat: renders
        .filter((r) => r.channel === "chat")
        .map((r) => {
          const seen = registry.chat.inspect(r.body, { format: r.format, baseUrl, actions });
          return {
            format: r.format,
            label: CHAT_LABELS[r.format] ?? r.format,
            text: seen.text,
            buttons: seen.controls.map((x) => x.label),
          };
        }),
      agent: agentPreview(renders.find((r) => r.channel === "agent")?.body ?? "{}", registry.agent.inspect, { baseUrl, actions }),
    });
  }
  return {
    ok: violations.length === 0,
    count: violations.length,
    unsaved: input.unsaved,
    note: input.type === "action" ? "Actions have no page of their own: their labels show on every product, cart and order." : null,
    parseErrors,
    violations,
    locales,
    styleHashes: await Promise.all([...styles].map(sha256Base64)),
  };
}
