/**
 * Outbound webhooks on both drivers: the audit-log trigger (applied by
 * `wrangler d1 migrations apply` on D1, whose statement splitter must keep its
 * body whole), fan-out in one atomic batch, the claim by UPDATE … RETURNING,
 * and a signed POST to a real receiver, checked with `standardwebhooks`.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { createEntry, parseDocument, publishEntry } from "../../src/catalogue/entries";
import { saveLocale } from "../../src/catalogue/locales";
import { inventoryInserts, productKind, setStock } from "../../src/catalogue/products";
import { dispatchWebhooks } from "../../src/webhooks/dispatch";
import { createEndpoint } from "../../src/webhooks/endpoints";
import { bothDrivers } from "../helpers/d1";
import { productDoc } from "../helpers/db";
import { startReceiver } from "../webhooks/receiver";

const now = new Date();
const ctx = { keyId: null, now };
const { drivers, dispose } = bothDrivers();
afterAll(dispose);

describe.each(drivers)("on %s", (_driver, open) => {
  it("a publish is queued by the trigger, fanned out once, and delivered signed", async () => {
    const db = await open();
    await saveLocale(db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, now);
    await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, now);
    const receiver = await startReceiver();
    try {
      const { endpoint, secret } = await createEndpoint(
        db,
        { url: `${receiver.url}/hook`, events: ["product.published", "product.availability_changed"] },
        now,
        ["127.0.0.1"],
      );
      const doc = parseDocument(productKind, productDoc("wool-hat"));
      const entry = await createEntry(db, productKind, ctx, doc, (orm, id) =>
        inventoryInserts(orm, id, [{ ...doc.variants[0]!, stock: 9 }], now.toISOString()),
      );
      await publishEntry(db, productKind, ctx, entry, 1);
      const options = { now: () => new Date(), baseUrl: "https://shop.example", allowHosts: ["127.0.0.1"] };
      const [first, second] = await Promise.all([dispatchWebhooks(db, options), dispatchWebhooks(db, options)]);
      expect(first.delivered + second.delivered).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const hit = receiver.received[0]!;
      const event = new Webhook(secret).verify(hit.body, {
        "webhook-id": String(hit.headers["webhook-id"]),
        "webhook-timestamp": String(hit.headers["webhook-timestamp"]),
        "webhook-signature": String(hit.headers["webhook-signature"]),
      }) as { type: string; data: { key: string } };
      expect(event).toMatchObject({ type: "product.published", data: { key: "wool-hat" } });
      expect(endpoint.enabled).toBe(true);
      expect(await dispatchWebhooks(db, options)).toMatchObject({ queued: 0, delivered: 0 });

      // The availability trigger: selling out is one event; the same stock again is none.
      await setStock(db, "WOOL-HAT-M", 0, 1, now);
      await setStock(db, "WOOL-HAT-M", 0, 2, now);
      expect(await dispatchWebhooks(db, options)).toMatchObject({ queued: 1, delivered: 1 });
      expect(JSON.parse(receiver.received[1]!.body)).toMatchObject({
        type: "product.availability_changed",
        data: { key: "wool-hat", availability: "out_of_stock", previous: "in_stock" },
      });
    } finally {
      await receiver.close();
    }
  });
});
