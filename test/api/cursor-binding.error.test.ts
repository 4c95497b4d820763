/**
 * Cursors are bound to the list and filters that issued them (issue #13,
 * defect 6): a cursor from /v1/messages used to be accepted by other lists.
 * Every cursor issued by a list operation of /openapi.json is refused with 400
 * `invalid_cursor` by every other list (and by the same list for another
 * customer or other filters), and still pages the list that issued it.
 */
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";

let t: TestApp;
let admin: Record<string, string>;
const customers: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  await importContent(
    t.db,
    await readContentDir(join(import.meta.dirname, "../../content")),
    { keyId: null, now: t.now },
    { publish: true },
  );
  admin = await t.auth("admin");
  for (const who of ["cursor-a", "cursor-b"]) {
    for (const [i, sku] of ["RIB-BEA-FORES", "WAX-COT-JAC-M"].entries()) {
      const res = await t.request("POST", "/v1/actions/add_to_cart", {
        headers: { ...admin, "idempotency-key": `${who}-${i}` },
        body: { channel: "web", identity: { channel: "web", externalId: who }, input: { sku } },
      });
      expect(res.status, await res.clone().text()).toBe(200);
      if (i === 0) customers.push(((await res.json()) as { customer: string }).customer);
    }
  }
});

/** Every list operation (GET with a `cursor` parameter), with its path parameters filled in. */
async function lists(): Promise<string[]> {
  const spec = (await (await t.app.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
  };
  const out: string[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    if (item.get?.parameters?.some((p) => p.name === "cursor")) out.push(path.replace("{id}", customers[0]!));
  }
  return out;
}

const withCursor = (path: string, cursor: string) => `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;

async function expectInvalidCursor(path: string) {
  const res = await t.request("GET", path, { headers: admin });
  expect(res.status, path).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(((await res.json()) as { code: string }).code, path).toBe("invalid_cursor");
}

it("a cursor works on its own list and is 400 invalid_cursor on every other", async () => {
  const paths = await lists();
  expect(paths.length).toBeGreaterThanOrEqual(10);
  const issued: [string, string][] = [];
  for (const path of paths) {
    const res = await t.request("GET", `${path}?limit=1`, { headers: admin });
    expect(res.status, path).toBe(200);
    const { nextCursor } = (await res.json()) as { nextCursor: string | null };
    if (nextCursor) issued.push([path, nextCursor]);
  }
  // Every list with two or more rows here issued one (orders and cases have none in this store).
  expect(issued.map(([p]) => p)).toEqual(expect.arrayContaining(["/v1/products", "/v1/messages", "/v1/actions", "/v1/admin/audit"]));
  expect(issued.length).toBeGreaterThanOrEqual(8);
  let refused = 0;
  for (const [from, cursor] of issued) {
    const own = await t.request("GET", withCursor(`${from}?limit=1`, cursor), { headers: admin });
    expect(own.status, `${from} on itself`).toBe(200);
    for (const to of paths) {
      if (to === from) continue;
      await expectInvalidCursor(withCursor(to, cursor));
      refused++;
    }
  }
  expect(refused).toBe(issued.length * (paths.length - 1));
});

it("a timeline cursor is refused on another customer's timeline, and on other filters", async () => {
  const page = await t.request("GET", `/v1/customers/${customers[0]}/timeline?limit=1`, { headers: admin });
  const { nextCursor } = (await page.json()) as { nextCursor: string };
  expect(nextCursor).toBeTruthy();
  await expectInvalidCursor(withCursor(`/v1/customers/${customers[1]}/timeline`, nextCursor));
  await expectInvalidCursor(withCursor(`/v1/customers/${customers[0]}/timeline?order=desc`, nextCursor));

  const admins = await t.request("GET", "/v1/admin/products?limit=1", { headers: admin });
  const adminCursor = ((await admins.json()) as { nextCursor: string }).nextCursor;
  await expectInvalidCursor(withCursor("/v1/admin/products?status=published", adminCursor));
  const audit = await t.request("GET", "/v1/admin/audit?limit=1&entityType=product", { headers: admin });
  const auditCursor = ((await audit.json()) as { nextCursor: string }).nextCursor;
  expect(auditCursor).toBeTruthy();
  await expectInvalidCursor(withCursor("/v1/admin/audit?entityType=message", auditCursor));
  expect((await t.request("GET", withCursor("/v1/admin/audit?entityType=product", auditCursor), { headers: admin })).status).toBe(200);
});
