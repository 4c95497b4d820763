/**
 * DNS rebinding: a webhook host can answer "public" when Unison checks it and
 * "127.0.0.1" when fetch connects. The Node server's webhook fetch checks the
 * addresses at connect time (src/node.ts `publicOnlyFetch`). A resolver that
 * answers loopback for a public-looking name shows it: the connection is
 * refused, the receiver on loopback sees nothing — unless the name is allowed.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { publicOnlyFetch } from "../../src/node";
import { type Receiver, startReceiver } from "./receiver";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

/** Answers loopback for every name, as a rebinding name does on its second answer. */
const rebinding = (_host: string, callback: (error: Error | null, addresses: { address: string; family: number }[]) => void) =>
  callback(null, [{ address: "127.0.0.1", family: 4 }]);

it("refuses to connect to a name that resolves to a private address at connect time", async () => {
  const port = new URL(receiver.url).port;
  const url = `http://rebind.partner.example:${port}/hook`;
  const error = await publicOnlyFetch([], rebinding)(url, { method: "POST", body: "{}" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TypeError);
  expect(String((error as { cause?: unknown }).cause)).toContain(
    "rebind.partner.example resolves to 127.0.0.1, which is not a public address",
  );
  expect(receiver.received).toHaveLength(0);

  // The same lookup for an allowed name connects (so the refusal above is the check, not the resolver).
  const ok = await publicOnlyFetch(["rebind.partner.example"], rebinding)(url, { method: "POST", body: "{}" });
  expect(ok.status).toBe(200);
  expect(receiver.received.map((r) => r.headers.host)).toEqual([`rebind.partner.example:${port}`]);
});
