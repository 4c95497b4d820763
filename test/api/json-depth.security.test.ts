/**
 * Deep JSON (issue #13, defect 2): a body nesting arrays 5,000 deep (10 KB) used
 * to overflow the stack in validation (500). Every JSON entry point — actions,
 * admin writes, the bulk import, inbound chat webhooks (including Slack's
 * `payload` form field) — refuses bodies deeper than MAX_JSON_DEPTH with 400
 * `json_too_deep`, before signatures, validation or merge-patch run; the
 * database is unchanged. Depth up to the limit is not refused for its depth.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { jsonDepth, MAX_JSON_DEPTH } from "../../src/lib/json-depth";
import { createTestApp, type TestApp } from "../helpers/app";

const nested = (depth: number, leaf = "1") => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
const DEEP = nested(5000);

let t: TestApp;
let headers: Record<string, string>;
const count = (table: string) => (t.db.client.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeAll(async () => {
  t = await createTestApp({
    config: {
      WHATSAPP_APP_SECRET: "meta-app-secret-123",
      TELEGRAM_SECRET_TOKEN: "tg_secret-token",
      SLACK_SIGNING_SECRET: "slack-secret-123",
    },
  });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  headers = await t.auth("admin");
});

async function expectTooDeep(res: Response) {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = (await res.json()) as { code: string; detail: string };
  expect(problem.code).toBe("json_too_deep");
  expect(problem.detail).toContain(String(MAX_JSON_DEPTH));
  expect(JSON.stringify(problem)).not.toMatch(/RangeError|at \w+ \(/);
}

describe(`bodies nesting deeper than ${MAX_JSON_DEPTH}`, () => {
  it("POST /v1/actions/view_cart with input nested 5,000 arrays deep is 400, not 500", async () => {
    const before = count("interactions");
    const body = `{"channel":"web","identity":{"channel":"web","externalId":"deep"},"input":${DEEP}}`;
    await expectTooDeep(
      await t.app.request("/v1/actions/view_cart", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "idempotency-key": "deep-1" },
        body,
      }),
    );
    expect(count("interactions")).toBe(before);
  });

  it("deep objects, and the same without credentials, are refused the same way", async () => {
    const objects = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
    for (const auth of [headers, {}]) {
      await expectTooDeep(
        await t.app.request("/v1/actions/add_to_cart", {
          method: "POST",
          headers: { ...auth, "content-type": "application/json", "idempotency-key": "deep-2" },
          body: `{"input":${objects}}`,
        }),
      );
    }
  });

  it("admin writes (POST, merge-patch PATCH) and the bulk import, dry run or not", async () => {
    const before = count("entries");
    await expectTooDeep(
      await t.app.request("/v1/admin/products", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: `{"slug":"deep","title":{"en":${DEEP}}}`,
      }),
    );
    await expectTooDeep(
      await t.app.request("/v1/admin/products/merino-crew-sweater", {
        method: "PATCH",
        headers: { ...headers, "content-type": "application/merge-patch+json", "if-match": '"v1"' },
        body: `{"title":${DEEP}}`,
      }),
    );
    for (const query of ["?dryRun=true", ""]) {
      await expectTooDeep(
        await t.app.request(`/v1/admin/import${query}`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: `{"locales":[],"products":[${DEEP}],"messages":[],"actions":[]}`,
        }),
      );
    }
    expect(count("entries")).toBe(before);
  });

  it("inbound chat webhooks: WhatsApp, Telegram, Slack events and Slack's payload field", async () => {
    const before = count("interactions");
    const post = (path: string, body: string, type = "application/json") =>
      t.app.request(path, {
        method: "POST",
        headers: { "content-type": type, "x-telegram-bot-api-secret-token": "tg_secret-token" },
        body,
      });
    await expectTooDeep(await post("/v1/inbound/chat/whatsapp", `{"object":"whatsapp_business_account","entry":${DEEP}}`));
    await expectTooDeep(await post("/v1/inbound/chat/telegram", `{"update_id":1,"message":${DEEP}}`));
    await expectTooDeep(await post("/v1/inbound/chat/slack", `{"type":"event_callback","event":${DEEP}}`));
    // A Slack request must be signed for its form payload to be read.
    const { slackSignature } = await import("../../renderers/chat/slack/signature");
    const form = `payload=${encodeURIComponent(`{"type":"block_actions","actions":${DEEP}}`)}`;
    const ts = String(Math.floor(t.now.getTime() / 1000));
    const res = await t.app.request("/v1/inbound/chat/slack", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": await slackSignature("slack-secret-123", ts, form),
      },
      body: form,
    });
    await expectTooDeep(res);
    expect(count("interactions")).toBe(before);
  });
});

describe("the limit itself", () => {
  it(`lets ${MAX_JSON_DEPTH} levels through to validation, and counts no brackets inside strings`, async () => {
    const res = await t.request("POST", "/v1/actions/view_cart", {
      headers: { ...headers, "idempotency-key": "deep-ok" },
      body: `{"channel":"web","identity":{"channel":"web","externalId":"x"},"input":{"a":${nested(MAX_JSON_DEPTH - 2)}}}`,
    });
    expect(((await res.json()) as { code?: string }).code).not.toBe("json_too_deep");
    expect(jsonDepth(`{"a":"${"[".repeat(500)}\\"[["}`)).toBe(1);
    expect(jsonDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
    expect(jsonDepth(DEEP, MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });
});

describe("a key named __proto__", () => {
  it("is refused with 400 validation_failed however it is spelled, and the draft is unchanged (it used to answer 200 and drop it)", async () => {
    const entry = async () =>
      (await t.app.request("/v1/admin/products/merino-crew-sweater", { headers })).json() as Promise<{ version: number }>;
    const { version } = await entry();
    for (const body of [
      '{"title":{"__proto__":"evil"}}',
      '{"title":{"\\u005f_proto__":"evil"}}',
      '{"summary":{"en":"x"},"title":{"en":"Merino crew sweater","__pro\\u0074o__":{"a":1}}}',
    ]) {
      const res = await t.app.request("/v1/admin/products/merino-crew-sweater", {
        method: "PATCH",
        headers: { ...headers, "content-type": "application/merge-patch+json", "if-match": `"v${version}"` },
        body,
      });
      expect(res.status, body).toBe(400);
      const problem = (await res.json()) as { code: string; errors: { code: string }[] };
      expect(problem.code).toBe("validation_failed");
      expect(problem.errors[0]?.code).toBe("invalid_key");
    }
    expect((await entry()).version).toBe(version);
    // The word as a value, or a key that only contains it, is no such key.
    const fine = await t.app.request("/v1/admin/products/merino-crew-sweater", {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/merge-patch+json", "if-match": `"v${version}"` },
      body: '{"summary":{"en":"Knit like __proto__ (a prototype), \\u00e9l\\u00e9gant."}}',
    });
    expect(fine.status).toBe(200);
  });
});
