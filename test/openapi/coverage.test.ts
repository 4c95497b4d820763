/**
 * Every operation of /openapi.json answers at least one success and one documented error that the
 * test suite validates against the published document (issue #12): one table, one row per
 * operation, run in order against the demo store (content/ imported into a fresh database), every
 * request through the validating helper (test/helpers/app.ts `requester`, which checks status,
 * media type and body against /openapi.json). The last test reads the contract recorder
 * (test/helpers/contract.ts `checked`) of this file's run and fails for any operation of the
 * document without a validated 2xx/3xx and a validated 4xx/5xx.
 *
 * Adding an operation: add one row to ROWS — its `operationId`, a request that succeeds on the demo
 * store (`ok`) and one that fails with a status the operation documents (`fail`). The rows run in
 * order and share state (`state`), so a row can use what an earlier one created. A secured
 * operation with no `fail` gets a request without a key (401) automatically.
 */
import { createHmac } from "node:crypto";
import twilio from "twilio";
import { beforeAll, describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { parseConfig } from "../../src/env";
import { createApiKey, type Scope } from "../../src/lib/keys";
import { requester } from "../helpers/app";
import { checked } from "../helpers/contract";
import { freshDb } from "../helpers/db";
import { CONTENT_DIR, DEMO_NOW } from "../helpers/demo";

type Json = any;
interface Call {
  method: string;
  path: string;
  /** Scopes of the key sent as Authorization (none: no key). */
  scopes?: Scope[];
  body?: unknown;
  headers?: Record<string, string>;
  /** The status expected; the row's default is 200 for `ok`. */
  status?: number;
}
interface Row {
  op: string;
  ok: () => Call | Promise<Call>;
  fail?: () => Call | Promise<Call>;
  /** Keeps what later rows need from the success body. */
  keep?: (body: Json) => void;
}

const SECRETS = {
  TWILIO_AUTH_TOKEN: "coverage-twilio-token",
  SLACK_SIGNING_SECRET: "coverage-slack-secret",
  TELEGRAM_SECRET_TOKEN: "coverage-telegram-secret",
  WHATSAPP_APP_SECRET: "coverage-meta-secret",
  WHATSAPP_VERIFY_TOKEN: "coverage-verify",
  WHATSAPP_ACCESS_TOKEN: "coverage-access-token",
};
const BASE = "https://shop.example";
const SLUG = "merino-crew-sweater";
const SKU = "MER-CRE-SWE-S-NAVY";
const json = (body: unknown) => JSON.stringify(body);
const editor: Scope[] = ["catalog:write", "catalog:publish"];
const product = (slug: string) => ({
  slug,
  title: { en: `Title ${slug}` },
  summary: { en: "A warm hat." },
  description: { en: "Knitted from merino." },
  variants: [{ sku: `${slug.toUpperCase()}-M`, options: { size: "M" }, prices: { EUR: 2500 } }],
});
const message = {
  key: "coverage_note",
  kind: "faq",
  title: { en: "A note" },
  body: { en: "Open every day." },
  short: { en: "Open daily." },
};
const action = (key: string) => ({ key, label: { en: "Wave" }, confirmation: { en: "Waved." }, appliesTo: ["global"], keyword: "WAVE" });
/** ACP's headers: the API version, and an Idempotency-Key when the call is a POST. */
const acp = (idempotencyKey?: string): Record<string, string> => ({
  "api-version": "2026-04-17",
  ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
});
const web = (session: string) => ({ channel: "web", identity: { channel: "web", externalId: session } });

/** What rows hand on to later rows. */
const state: Record<string, Json> = {};
let request: ReturnType<typeof requester>;
let keyFor: (scopes: Scope[]) => Promise<string>;
let version: (path: string, scopes?: Scope[]) => Promise<string>;

/** A row for each of the versioned entities' shared operations (products, messages, actions). */
function entityRows(kind: "Product" | "Message" | "Action", base: string, id: string, create: unknown, patch: unknown): Row[] {
  const at = `${base}/${id}`;
  const missing = `${base}/${kind === "Product" ? "nope-missing" : "nope_missing"}`;
  const ifMatch = async () => ({ "if-match": await version(at) });
  const override = `${at}/overrides/sms/en/${kind === "Action" ? "label" : "title"}`;
  return [
    { op: `listAdmin${kind}s`, ok: () => ({ method: "GET", path: `${base}?limit=2`, scopes: editor }) },
    {
      op: `create${kind}`,
      ok: () => ({ method: "POST", path: base, scopes: editor, body: create, status: 201 }),
      fail: () => ({ method: "POST", path: base, scopes: editor, body: create, status: 409 }),
    },
    {
      op: `getAdmin${kind}`,
      ok: () => ({ method: "GET", path: at, scopes: editor }),
      fail: () => ({ method: "GET", path: missing, scopes: editor, status: 404 }),
    },
    {
      op: `update${kind}`,
      ok: async () => ({
        method: "PATCH",
        path: at,
        scopes: editor,
        body: patch,
        headers: { ...(await ifMatch()), "content-type": "application/merge-patch+json" },
      }),
      fail: () => ({
        method: "PATCH",
        path: at,
        scopes: editor,
        body: patch,
        headers: { "if-match": '"v999"', "content-type": "application/merge-patch+json" },
        status: 412,
      }),
    },
    {
      op: `publish${kind}`,
      ok: async () => ({ method: "POST", path: `${at}/publish`, scopes: editor, headers: await ifMatch() }),
      fail: () => ({ method: "POST", path: `${at}/publish`, scopes: editor, status: 428 }),
    },
    {
      op: `put${kind}Override`,
      ok: async () => ({ method: "PUT", path: override, scopes: editor, body: { value: "Short" }, headers: await ifMatch() }),
      fail: async () => ({ method: "PUT", path: override, scopes: editor, body: { value: 7 }, headers: await ifMatch(), status: 400 }),
    },
    {
      op: `confirm${kind}Override`,
      ok: async () => ({ method: "POST", path: `${override}/confirm`, scopes: editor, headers: await ifMatch() }),
      fail: async () => ({
        method: "POST",
        path: `${at}/overrides/sms/fr/title/confirm`,
        scopes: editor,
        headers: await ifMatch(),
        // Actions have no title to override (422); products and messages have no French SMS title override yet (404).
        status: kind === "Action" ? 422 : 404,
      }),
    },
    {
      op: `delete${kind}Override`,
      ok: async () => ({ method: "DELETE", path: override, scopes: editor, headers: await ifMatch() }),
      fail: async () => ({ method: "DELETE", path: override, scopes: ["catalog:read"], headers: await ifMatch(), status: 403 }),
    },
    {
      op: `list${kind}Revisions`,
      ok: () => ({ method: "GET", path: `${at}/revisions`, scopes: editor }),
      fail: () => ({ method: "GET", path: `${missing}/revisions`, scopes: editor, status: 404 }),
    },
    {
      op: `get${kind}Revision`,
      ok: () => ({ method: "GET", path: `${at}/revisions/1`, scopes: editor }),
      fail: () => ({ method: "GET", path: `${at}/revisions/99`, scopes: editor, status: 404 }),
    },
    {
      op: `rollback${kind}`,
      ok: async () => ({ method: "POST", path: `${at}/rollback`, scopes: editor, body: { revision: 1 }, headers: await ifMatch() }),
      fail: async () => ({
        method: "POST",
        path: `${at}/rollback`,
        scopes: editor,
        body: { revision: 99 },
        headers: await ifMatch(),
        status: 404,
      }),
    },
    {
      op: `diff${kind}`,
      ok: () => ({ method: "GET", path: `${at}/diff?from=1&to=2`, scopes: editor }),
      fail: () => ({ method: "GET", path: `${at}/diff?from=1&to=99`, scopes: editor, status: 404 }),
    },
    { op: `get${kind}Audit`, ok: () => ({ method: "GET", path: `${at}/audit`, scopes: editor }) },
    {
      op: `unpublish${kind}`,
      ok: async () => ({ method: "POST", path: `${at}/unpublish`, scopes: editor, headers: await ifMatch() }),
      fail: async () => ({ method: "POST", path: `${at}/unpublish`, scopes: ["catalog:write"], headers: await ifMatch(), status: 403 }),
    },
    {
      op: `archive${kind}`,
      ok: async () => ({ method: "POST", path: `${at}/archive`, scopes: editor, headers: await ifMatch() }),
      fail: () => ({ method: "POST", path: `${missing}/archive`, scopes: editor, headers: { "if-match": '"v1"' }, status: 404 }),
    },
    {
      op: `restore${kind}`,
      ok: async () => ({ method: "POST", path: `${at}/restore`, scopes: editor, headers: await ifMatch() }),
      fail: async () => ({ method: "POST", path: `${at}/restore`, scopes: editor, headers: await ifMatch(), status: 409 }),
    },
  ];
}

const ROWS: Row[] = [
  {
    op: "getHealth",
    ok: () => ({ method: "GET", path: "/healthz" }),
    fail: () => ({ method: "GET", path: "/healthz", headers: { authorization: "Bearer unison_sk_forged" }, status: 401 }),
  },
  {
    op: "listProducts",
    ok: () => ({ method: "GET", path: "/v1/products?limit=2" }),
    fail: () => ({ method: "GET", path: "/v1/products?limit=0", status: 400 }),
  },
  {
    op: "getProduct",
    ok: () => ({ method: "GET", path: `/v1/products/${SLUG}` }),
    fail: () => ({ method: "GET", path: "/v1/products/nope-missing", status: 404 }),
  },
  {
    op: "listMessages",
    ok: () => ({ method: "GET", path: "/v1/messages" }),
    fail: () => ({ method: "GET", path: "/v1/messages", headers: { authorization: "Bearer unison_sk_forged" }, status: 401 }),
  },
  {
    op: "getMessage",
    ok: () => ({ method: "GET", path: "/v1/messages/opening_hours" }),
    fail: () => ({ method: "GET", path: "/v1/messages/nope_missing", status: 404 }),
  },
  {
    op: "listActions",
    ok: () => ({ method: "GET", path: "/v1/actions" }),
    fail: () => ({ method: "GET", path: "/v1/actions?limit=1000", status: 400 }),
  },
  {
    op: "listLocales",
    ok: () => ({ method: "GET", path: "/v1/locales" }),
    fail: () => ({ method: "GET", path: "/v1/locales", headers: { authorization: "Bearer unison_sk_forged" }, status: 401 }),
  },
  {
    op: "listDeliveryOptions",
    ok: () => ({ method: "GET", path: "/v1/delivery-options?locale=fr" }),
    fail: () => ({ method: "GET", path: "/v1/delivery-options?locale=x_1", status: 400 }),
  },
  {
    op: "renderProduct",
    ok: () => ({ method: "GET", path: `/v1/render/sms/products/${SLUG}` }),
    fail: () => ({ method: "GET", path: "/v1/render/sms/products/nope-missing", status: 404 }),
  },
  {
    op: "renderMessage",
    ok: () => ({ method: "GET", path: "/v1/render/sms/messages/opening_hours" }),
    fail: () => ({ method: "GET", path: "/v1/render/fax/messages/opening_hours", status: 400 }),
  },
  {
    op: "getAcpFeed",
    ok: () => ({ method: "GET", path: "/v1/feeds/acp", scopes: ["catalog:read"] }),
  },
  {
    op: "getConsistencyReport",
    ok: () => ({ method: "GET", path: "/v1/consistency", scopes: ["catalog:read"] }),
  },
  // Products: the shared operations, then variants and inventory.
  ...entityRows("Product", "/v1/admin/products", "coverage-hat", product("coverage-hat"), { title: { en: "Coverage hat" } }),
  {
    op: "addVariant",
    ok: async () => ({
      method: "POST",
      path: "/v1/admin/products/coverage-hat/variants",
      scopes: editor,
      body: { sku: "COVERAGE-HAT-L", options: { size: "L" }, prices: { EUR: 2600 } },
      headers: { "if-match": await version("/v1/admin/products/coverage-hat") },
    }),
    fail: async () => ({
      method: "POST",
      path: "/v1/admin/products/coverage-hat/variants",
      scopes: editor,
      body: { sku: "COVERAGE-HAT-L", options: { size: "L" }, prices: { EUR: 2600 } },
      headers: { "if-match": await version("/v1/admin/products/coverage-hat") },
      status: 409,
    }),
  },
  {
    op: "updateVariant",
    ok: async () => ({
      method: "PATCH",
      path: "/v1/admin/products/coverage-hat/variants/COVERAGE-HAT-L",
      scopes: editor,
      body: { prices: { EUR: 2700 } },
      headers: { "if-match": await version("/v1/admin/products/coverage-hat"), "content-type": "application/merge-patch+json" },
    }),
    fail: async () => ({
      method: "PATCH",
      path: "/v1/admin/products/coverage-hat/variants/NOPE",
      scopes: editor,
      body: { prices: { EUR: 2700 } },
      headers: { "if-match": await version("/v1/admin/products/coverage-hat"), "content-type": "application/merge-patch+json" },
      status: 404,
    }),
  },
  {
    op: "removeVariant",
    ok: async () => ({
      method: "DELETE",
      path: "/v1/admin/products/coverage-hat/variants/COVERAGE-HAT-L",
      scopes: editor,
      headers: { "if-match": await version("/v1/admin/products/coverage-hat") },
    }),
    fail: () => ({ method: "DELETE", path: "/v1/admin/products/coverage-hat/variants/COVERAGE-HAT-M", scopes: editor, status: 428 }),
  },
  {
    op: "getInventory",
    ok: () => ({ method: "GET", path: `/v1/admin/inventory/${SKU}`, scopes: editor }),
    fail: () => ({ method: "GET", path: "/v1/admin/inventory/NOPE-SKU", scopes: editor, status: 404 }),
  },
  {
    op: "setInventory",
    ok: async () => ({
      method: "PUT",
      path: `/v1/admin/inventory/${SKU}`,
      scopes: editor,
      body: { stock: 12 },
      headers: { "if-match": await version(`/v1/admin/inventory/${SKU}`) },
    }),
    fail: async () => ({
      method: "PUT",
      path: `/v1/admin/inventory/${SKU}`,
      scopes: editor,
      body: { stock: -1 },
      headers: { "if-match": await version(`/v1/admin/inventory/${SKU}`) },
      status: 400,
    }),
  },
  {
    op: "previewProduct",
    ok: () => ({ method: "GET", path: "/v1/preview/products/coverage-hat?channel=sms", scopes: editor }),
    fail: () => ({ method: "GET", path: "/v1/preview/products/nope-missing?channel=sms", scopes: editor, status: 404 }),
  },
  ...entityRows("Message", "/v1/admin/messages", "coverage_note", message, { title: { en: "A newer note" } }),
  {
    op: "previewMessage",
    ok: () => ({ method: "GET", path: "/v1/preview/messages/coverage_note?channel=sms", scopes: editor }),
    fail: () => ({ method: "GET", path: "/v1/preview/messages/nope_missing?channel=sms", scopes: editor, status: 404 }),
  },
  ...entityRows("Action", "/v1/admin/actions", "coverage_wave", action("coverage_wave"), { label: { en: "Wave hello" } }),
  // Locales.
  { op: "listAdminLocales", ok: () => ({ method: "GET", path: "/v1/admin/locales", scopes: editor }) },
  {
    op: "createLocale",
    ok: () => ({
      method: "POST",
      path: "/v1/admin/locales",
      scopes: editor,
      body: { code: "fr-CA", name: "Français (Canada)", fallback: "fr", currency: "CAD" },
      status: 201,
    }),
    fail: () => ({
      method: "POST",
      path: "/v1/admin/locales",
      scopes: editor,
      body: { code: "de", name: "Deutsch", fallback: "xx", currency: "EUR" },
      status: 422,
    }),
  },
  {
    op: "updateLocale",
    ok: () => ({
      method: "PATCH",
      path: "/v1/admin/locales/fr-CA",
      scopes: editor,
      body: { name: "Québécois" },
      headers: { "if-match": '"v1"' },
    }),
    fail: () => ({
      method: "PATCH",
      path: "/v1/admin/locales/fr-CA",
      scopes: editor,
      body: { name: "x" },
      headers: { "if-match": '"v9"' },
      status: 412,
    }),
  },
  {
    op: "archiveLocale",
    ok: () => ({ method: "POST", path: "/v1/admin/locales/fr-CA/archive", scopes: editor, headers: { "if-match": '"v2"' } }),
    fail: () => ({ method: "POST", path: "/v1/admin/locales/xx/archive", scopes: editor, headers: { "if-match": '"v1"' }, status: 404 }),
  },
  // Keys, audit, import/export.
  {
    op: "createKey",
    ok: () => ({
      method: "POST",
      path: "/v1/admin/keys",
      scopes: ["admin"],
      body: { name: "coverage", scopes: ["catalog:read"] },
      status: 201,
    }),
    fail: () => ({
      method: "POST",
      path: "/v1/admin/keys",
      scopes: ["admin"],
      body: { name: "coverage", scopes: ["everything"] },
      status: 400,
    }),
    keep: (body) => {
      state.keyId = body.key.id;
    },
  },
  { op: "listKeys", ok: () => ({ method: "GET", path: "/v1/admin/keys", scopes: ["admin"] }) },
  {
    op: "revokeKey",
    ok: () => ({ method: "DELETE", path: `/v1/admin/keys/${state.keyId}`, scopes: ["admin"] }),
    fail: () => ({ method: "DELETE", path: `/v1/admin/keys/${state.keyId}`, scopes: editor, status: 403 }),
  },
  { op: "listAudit", ok: () => ({ method: "GET", path: "/v1/admin/audit?limit=5", scopes: editor }) },
  {
    op: "exportContent",
    ok: () => ({ method: "GET", path: "/v1/admin/export", scopes: editor }),
    keep: (body) => {
      state.bundle = body;
    },
  },
  {
    op: "importContent",
    ok: () => ({ method: "POST", path: "/v1/admin/import", scopes: editor, body: state.bundle }),
    fail: () => ({ method: "POST", path: "/v1/admin/import", scopes: editor, body: { products: "none" }, status: 400 }),
  },
  // Webhooks.
  {
    op: "createWebhook",
    ok: () => ({
      method: "POST",
      path: "/v1/admin/webhooks",
      scopes: ["admin"],
      body: { url: "https://hooks.example/unison" },
      status: 201,
    }),
    fail: () => ({ method: "POST", path: "/v1/admin/webhooks", scopes: ["admin"], body: { url: "http://127.0.0.1/x" }, status: 422 }),
    keep: (body) => {
      state.webhook = body.endpoint.id;
    },
  },
  { op: "listWebhooks", ok: () => ({ method: "GET", path: "/v1/admin/webhooks", scopes: ["admin"] }) },
  {
    op: "getWebhook",
    ok: () => ({ method: "GET", path: `/v1/admin/webhooks/${state.webhook}`, scopes: ["admin"] }),
    fail: () => ({ method: "GET", path: "/v1/admin/webhooks/wh_missing", scopes: ["admin"], status: 404 }),
  },
  {
    op: "updateWebhook",
    ok: async () => ({
      method: "PATCH",
      path: `/v1/admin/webhooks/${state.webhook}`,
      scopes: ["admin"],
      body: { enabled: false },
      headers: { "if-match": await version(`/v1/admin/webhooks/${state.webhook}`, ["admin"]) },
    }),
    fail: () => ({ method: "PATCH", path: `/v1/admin/webhooks/${state.webhook}`, scopes: ["admin"], body: { enabled: true }, status: 428 }),
  },
  {
    op: "testWebhook",
    ok: () => ({ method: "POST", path: `/v1/admin/webhooks/${state.webhook}/test`, scopes: ["admin"], status: 202 }),
    fail: () => ({ method: "POST", path: "/v1/admin/webhooks/wh_missing/test", scopes: ["admin"], status: 404 }),
  },
  {
    op: "listWebhookDeliveries",
    ok: () => ({ method: "GET", path: `/v1/admin/webhooks/${state.webhook}/deliveries`, scopes: ["admin"] }),
    fail: () => ({ method: "GET", path: "/v1/admin/webhooks/wh_missing/deliveries", scopes: ["admin"], status: 404 }),
  },
  {
    op: "deleteWebhook",
    ok: async () => ({
      method: "DELETE",
      path: `/v1/admin/webhooks/${state.webhook}`,
      scopes: ["admin"],
      headers: { "if-match": await version(`/v1/admin/webhooks/${state.webhook}`, ["admin"]) },
    }),
    fail: () => ({
      method: "DELETE",
      path: `/v1/admin/webhooks/${state.webhook}`,
      scopes: ["admin"],
      headers: { "if-match": '"v1"' },
      status: 404,
    }),
  },
  // Inbound channels, signed as each platform signs.
  {
    op: "inboundSms",
    ok: () => {
      const params = { MessageSid: `SM${"1".repeat(32)}`, AccountSid: "AC0", From: "+33611111111", To: "+4798765432", Body: "CART" };
      const signature = twilio.getExpectedTwilioSignature(SECRETS.TWILIO_AUTH_TOKEN, `${BASE}/v1/inbound/sms`, params);
      return {
        method: "POST",
        path: "/v1/inbound/sms",
        body: new URLSearchParams(params).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      };
    },
    fail: () => ({
      method: "POST",
      path: "/v1/inbound/sms",
      body: "From=%2B33611111111&Body=CART",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" },
      status: 403,
    }),
  },
  {
    op: "inboundSlack",
    ok: () => {
      const body = json({ type: "url_verification", challenge: "coverage" });
      const ts = String(Math.floor(DEMO_NOW.getTime() / 1000));
      const signature = `v0=${createHmac("sha256", SECRETS.SLACK_SIGNING_SECRET).update(`v0:${ts}:${body}`).digest("hex")}`;
      return {
        method: "POST",
        path: "/v1/inbound/chat/slack",
        body,
        headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": signature },
      };
    },
    fail: () => ({
      method: "POST",
      path: "/v1/inbound/chat/slack",
      body: "{}",
      headers: { "x-slack-request-timestamp": "0", "x-slack-signature": "v0=00" },
      status: 403,
    }),
  },
  {
    op: "inboundTelegram",
    ok: () => ({
      method: "POST",
      path: "/v1/inbound/chat/telegram",
      body: { update_id: 1, message: { message_id: 1, chat: { id: 555 }, text: "CART" } },
      headers: { "x-telegram-bot-api-secret-token": SECRETS.TELEGRAM_SECRET_TOKEN },
    }),
    fail: () => ({
      method: "POST",
      path: "/v1/inbound/chat/telegram",
      body: { update_id: 2 },
      headers: { "x-telegram-bot-api-secret-token": "x" },
      status: 403,
    }),
  },
  {
    op: "verifyWhatsAppWebhook",
    ok: () => ({
      method: "GET",
      path: `/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.verify_token=${SECRETS.WHATSAPP_VERIFY_TOKEN}&hub.challenge=42`,
    }),
    fail: () => ({
      method: "GET",
      path: "/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1",
      status: 403,
    }),
  },
  {
    op: "inboundWhatsApp",
    ok: () => {
      const body = json({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "1",
            changes: [
              {
                field: "messages",
                value: {
                  metadata: { phone_number_id: "106540352242922" },
                  messages: [{ from: "4790001111", id: "wamid.C1", type: "text", text: { body: "CART" } }],
                },
              },
            ],
          },
        ],
      });
      const signature = `sha256=${createHmac("sha256", SECRETS.WHATSAPP_APP_SECRET).update(body).digest("hex")}`;
      return {
        method: "POST",
        path: "/v1/inbound/chat/whatsapp",
        body,
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      };
    },
    fail: () => ({
      method: "POST",
      path: "/v1/inbound/chat/whatsapp",
      body: "{}",
      headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=00" },
      status: 403,
    }),
  },
  // A shopper: actions, the customer record, handoffs, cases.
  {
    op: "invokeAction",
    ok: () => ({
      method: "POST",
      path: "/v1/actions/add_to_cart",
      scopes: ["actions:invoke"],
      body: { ...web("coverage-session"), input: { sku: SKU, quantity: 1 } },
      headers: { "idempotency-key": "coverage-add" },
    }),
    fail: () => ({
      method: "POST",
      path: "/v1/actions/nope_missing",
      scopes: ["actions:invoke"],
      body: web("coverage-session"),
      status: 404,
    }),
    keep: (body) => {
      state.customer = body.customer;
    },
  },
  {
    op: "getCustomer",
    ok: () => ({ method: "GET", path: `/v1/customers/${state.customer}`, scopes: ["customers:read"] }),
    fail: () => ({ method: "GET", path: `/v1/customers/${state.customer}`, scopes: ["actions:invoke"], status: 403 }),
  },
  {
    op: "updateCustomer",
    ok: () => ({
      method: "PATCH",
      path: `/v1/customers/${state.customer}`,
      scopes: ["customers:write"],
      body: { name: "Ana Silva", email: "Ana@Example.com" },
      headers: { "content-type": "application/merge-patch+json" },
    }),
    fail: () => ({
      method: "PATCH",
      path: `/v1/customers/${state.customer}`,
      scopes: ["customers:write"],
      body: { email: "not-an-email" },
      headers: { "content-type": "application/merge-patch+json" },
      status: 400,
    }),
  },
  {
    op: "searchCustomers",
    ok: () => ({ method: "GET", path: "/v1/customers?limit=5", scopes: ["customers:read"] }),
    fail: () => ({ method: "GET", path: "/v1/customers?limit=0", scopes: ["customers:read"], status: 400 }),
  },
  {
    op: "getCustomerTimeline",
    ok: () => ({ method: "GET", path: `/v1/customers/${state.customer}/timeline`, scopes: ["customers:read"] }),
    fail: () => ({
      method: "GET",
      path: "/v1/customers/cus_00000000000000000000000000000000/timeline",
      scopes: ["customers:read"],
      status: 404,
    }),
  },
  {
    op: "getCustomerCart",
    ok: () => ({ method: "GET", path: `/v1/customers/${state.customer}/cart`, scopes: ["customers:read"] }),
    fail: () => ({
      method: "GET",
      path: "/v1/customers/cus_00000000000000000000000000000000/cart",
      scopes: ["customers:read"],
      status: 404,
    }),
  },
  {
    op: "listCustomerOrders",
    ok: () => ({ method: "GET", path: `/v1/customers/${state.customer}/orders`, scopes: ["customers:read"] }),
    fail: () => ({
      method: "GET",
      path: "/v1/customers/cus_00000000000000000000000000000000/orders",
      scopes: ["customers:read"],
      status: 404,
    }),
  },
  {
    op: "redeemHandoff",
    ok: async () => {
      const res = await request("POST", "/v1/actions/handoff", {
        body: { ...web("coverage-session"), input: { to: "sms" } },
        headers: { authorization: `Bearer ${await keyFor(["actions:invoke"])}`, "idempotency-key": "coverage-handoff" },
      });
      const code = ((await res.json()) as Json).result.handoff.code;
      state.handoff = code;
      return {
        method: "POST",
        path: `/v1/handoffs/${code}/redeem`,
        scopes: ["actions:invoke"],
        body: { identity: { channel: "sms", externalId: "+33612345678" } },
      };
    },
    fail: () => ({
      method: "POST",
      path: `/v1/handoffs/${state.handoff}/redeem`,
      scopes: ["actions:invoke"],
      body: { identity: { channel: "sms", externalId: "+33612345679" } },
      status: 409,
    }),
  },
  {
    op: "listCases",
    ok: async () => {
      const res = await request("POST", "/v1/actions/contact_agent", {
        // The WhatsApp shopper of inboundWhatsApp: replies to a case go out on WhatsApp, within 24 hours of their message.
        body: {
          channel: "whatsapp",
          identity: { channel: "whatsapp", externalId: "4790001111" },
          input: { message: "Where is my parcel?" },
        },
        headers: { authorization: `Bearer ${await keyFor(["actions:invoke"])}`, "idempotency-key": "coverage-case" },
      });
      const body = (await res.json()) as Json;
      expect(res.status, JSON.stringify(body)).toBe(200);
      state.case = body.result.case.id;
      return { method: "GET", path: "/v1/cases?status=open", scopes: ["customers:read"] };
    },
    fail: () => ({ method: "GET", path: "/v1/cases?status=pending", scopes: ["customers:read"], status: 400 }),
  },
  {
    op: "getCase",
    ok: () => ({ method: "GET", path: `/v1/cases/${state.case}`, scopes: ["customers:read"] }),
    fail: () => ({ method: "GET", path: "/v1/cases/nope", scopes: ["customers:read"], status: 400 }),
  },
  {
    op: "replyToCase",
    ok: () => ({
      method: "POST",
      path: `/v1/cases/${state.case}/reply`,
      scopes: ["actions:invoke"],
      body: { text: "It left today." },
      headers: { "idempotency-key": "coverage-reply" },
    }),
    fail: () => ({ method: "POST", path: `/v1/cases/${state.case}/reply`, scopes: ["actions:invoke"], body: { text: "" }, status: 400 }),
  },
  {
    op: "listCaseReplies",
    ok: () => ({ method: "GET", path: `/v1/cases/${state.case}/replies`, scopes: ["customers:read"] }),
    fail: () => ({ method: "GET", path: `/v1/cases/${state.case}/replies`, scopes: ["actions:invoke"], status: 403 }),
  },
  {
    op: "closeCase",
    ok: () => ({ method: "POST", path: `/v1/cases/${state.case}/close`, scopes: ["actions:invoke"], body: { resolution: "Answered." } }),
    fail: () => ({ method: "POST", path: `/v1/cases/${state.case}/close`, scopes: ["customers:read"], status: 403 }),
  },
  { op: "channelInsights", ok: () => ({ method: "GET", path: "/v1/insights/channels", scopes: ["customers:read"] }) },
  { op: "journeyInsights", ok: () => ({ method: "GET", path: "/v1/insights/journeys", scopes: ["customers:read"] }) },
  // ACP checkout sessions (the server runs with PAYMENTS_MODE=test): API-Version and an Idempotency-Key on every POST.
  {
    op: "createCheckoutSession",
    ok: () => ({
      method: "POST",
      path: "/checkout_sessions",
      scopes: ["actions:invoke"],
      body: { line_items: [{ id: SKU, quantity: 1 }], currency: "eur" },
      headers: acp("coverage-acp-create"),
      status: 201,
    }),
    fail: () => ({
      method: "POST",
      path: "/checkout_sessions",
      scopes: ["actions:invoke"],
      body: { line_items: [{ id: SKU }] },
      headers: { "idempotency-key": "coverage-acp-nover" },
      status: 400,
    }),
    keep: (body) => {
      state.session = body.id;
    },
  },
  {
    op: "getCheckoutSession",
    ok: () => ({ method: "GET", path: `/checkout_sessions/${state.session}`, scopes: ["actions:invoke"], headers: acp() }),
    fail: () => ({ method: "GET", path: "/checkout_sessions/cs_nope", scopes: ["actions:invoke"], headers: acp(), status: 404 }),
  },
  {
    op: "updateCheckoutSession",
    ok: () => ({
      method: "POST",
      path: `/checkout_sessions/${state.session}`,
      scopes: ["actions:invoke"],
      body: {
        fulfillment_details: {
          name: "Kari Nordmann",
          email: "kari@example.com",
          address: { name: "Kari Nordmann", line_one: "Storgata 1", city: "Oslo", state: "Oslo", country: "NO", postal_code: "0150" },
        },
      },
      headers: acp("coverage-acp-update"),
    }),
    fail: () => ({
      method: "POST",
      path: `/checkout_sessions/${state.session}`,
      scopes: ["actions:invoke"],
      body: { selected_fulfillment_options: [{ type: "shipping", option_id: "teleport", item_ids: [] }] },
      headers: acp("coverage-acp-bogus"),
      status: 400,
    }),
  },
  {
    op: "completeCheckoutSession",
    ok: () => ({
      method: "POST",
      path: `/checkout_sessions/${state.session}/complete`,
      scopes: ["actions:invoke"],
      body: {
        payment_data: {
          handler_id: "unison_test",
          instrument: { type: "card", credential: { type: "test_token", token: "unison_test_success" } },
        },
      },
      headers: acp("coverage-acp-complete"),
    }),
    fail: () => ({
      method: "POST",
      path: `/checkout_sessions/${state.session}/complete`,
      scopes: ["actions:invoke"],
      body: { payment_data: { handler_id: "unison_test", instrument: { type: "card", credential: { type: "test_token", token: "x" } } } },
      headers: acp("coverage-acp-complete-again"),
      status: 400,
    }),
  },
  {
    op: "cancelCheckoutSession",
    ok: async () => {
      const res = await send({
        method: "POST",
        path: "/checkout_sessions",
        scopes: ["actions:invoke"],
        body: { line_items: [{ id: SKU }], currency: "eur" },
        headers: acp("coverage-acp-create-2"),
      });
      state.session2 = res.body.id;
      return {
        method: "POST",
        path: `/checkout_sessions/${state.session2}/cancel`,
        scopes: ["actions:invoke"],
        body: {},
        headers: acp("coverage-acp-cancel"),
      };
    },
    fail: () => ({
      method: "POST",
      path: `/checkout_sessions/${state.session2}/cancel`,
      scopes: ["actions:invoke"],
      body: {},
      headers: acp("coverage-acp-cancel-again"),
      status: 405,
    }),
  },
  // The MCP endpoint (JSON-RPC over Streamable HTTP).
  {
    op: "mcp",
    ok: () => ({
      method: "POST",
      path: "/mcp",
      body: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
      headers: { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
    }),
    fail: () => ({
      method: "POST",
      path: "/mcp",
      body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
      headers: { accept: "text/html" },
      status: 406,
    }),
  },
];

beforeAll(async () => {
  const db = await freshDb(DEMO_NOW);
  const report = await importContent(db, await readContentDir(CONTENT_DIR), { keyId: null, now: DEMO_NOW });
  expect(report.problems).toEqual([]);
  const app = createApp({
    renderers,
    platforms,
    resolveDb: () => db,
    config: parseConfig({ PUBLIC_BASE_URL: BASE, LOG_REQUESTS: "false", PAYMENTS_MODE: "test", ...SECRETS }),
    clock: () => DEMO_NOW,
    log: () => {},
  });
  request = requester(app);
  const keys = new Map<string, string>();
  keyFor = async (scopes) => {
    const name = scopes.join(" ");
    if (!keys.has(name)) keys.set(name, (await createApiKey(db, { name, scopes }, DEMO_NOW)).secret);
    return keys.get(name)!;
  };
  version = async (path, scopes = editor) => {
    const res = await request("GET", path, { headers: { authorization: `Bearer ${await keyFor(scopes)}` } });
    const etag = res.headers.get("etag") ?? `"v${((await res.json()) as Json).version}"`;
    return etag;
  };
});

async function send(call: Call): Promise<{ status: number; body: Json }> {
  const headers = { ...call.headers };
  if (call.scopes) headers.authorization = `Bearer ${await keyFor(call.scopes)}`;
  const res = await request(call.method, call.path, { body: call.body, headers });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

describe("one validated success and one validated error per operation", () => {
  for (const row of ROWS) {
    it(row.op, async () => {
      const ok = await row.ok();
      const success = await send(ok);
      expect(success.status, `${ok.method} ${ok.path}: ${JSON.stringify(success.body).slice(0, 400)}`).toBe(ok.status ?? 200);
      row.keep?.(success.body);
      const fail = row.fail ? await row.fail() : { ...ok, scopes: undefined, headers: { ...ok.headers, authorization: "" }, status: 401 };
      const error = await send(fail);
      expect(error.status, `${fail.method} ${fail.path}: ${JSON.stringify(error.body).slice(0, 400)}`).toBe(fail.status);
      expect([...checked]).toEqual(expect.arrayContaining([`${row.op} ${success.status}`, `${row.op} ${error.status}`]));
    });
  }

  it("reads every kind of timeline entry the rows wrote, each validated against its kind's payload", async () => {
    const customers = await send({ method: "GET", path: "/v1/customers?limit=50", scopes: ["customers:read"] });
    expect(customers.status, JSON.stringify(customers.body).slice(0, 300)).toBe(200);
    const kinds = new Set<string>();
    for (const customer of customers.body.data as { id: string }[]) {
      const timeline = await send({ method: "GET", path: `/v1/customers/${customer.id}/timeline?limit=50`, scopes: ["customers:read"] });
      for (const entry of timeline.body.data as { kind: string }[]) kinds.add(entry.kind);
    }
    const spec = (await (await request("GET", "/openapi.json")).json()) as Json;
    const declared = Object.keys(spec.components.schemas.Interaction.discriminator.mapping);
    expect([...kinds].sort()).toEqual(declared.sort());
  });

  it("leaves no operation of /openapi.json without a validated success and a validated error", async () => {
    const spec = (await (await request("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const statuses = (id: string) => [...checked].filter((pair) => pair.startsWith(`${id} `)).map((pair) => Number(pair.split(" ")[1]));
    const missing = Object.values(spec.paths)
      .flatMap((item) => Object.values(item).map((op) => op.operationId))
      .filter((id) => !statuses(id).some((s) => s < 400) || !statuses(id).some((s) => s >= 400));
    expect(missing, "add a row to ROWS in test/openapi/coverage.test.ts for each").toEqual([]);
  });
});
