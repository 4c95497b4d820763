/**
 * The Twilio SMS webhook over real sockets against the server as `npm start` runs it (src/node.ts `serve()`),
 * for webhook URLs whose query the runtime rewrites before the app sees it: WHATWG URL parsing percent-encodes
 * `'`, `"`, `<` and `>` in a query, and a bare `?` is not in `URL.search`. Twilio signs the URL as configured,
 * so the request line carries it raw; the official `twilio` package signs each URL and says what it accepts.
 */
import { request } from "node:http";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server";

const TOKEN = "http-test-twilio-auth-token-0123456789";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ TWILIO_AUTH_TOKEN: TOKEN });
});
afterAll(async () => {
  await server.close();
});

let sid = 0;
const paramsFor = () => ({ MessageSid: `SM${String(++sid).padStart(32, "0")}`, From: "+4791234567", To: "+4798765432", Body: "CART" });

/** POSTs the form with `path` written as is in the request line (node:http sends `'`, `"`, `<`, `>` and a bare `?` unescaped). */
function post(path: string, params: Record<string, string>, signature: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: "POST",
        path,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "x-twilio-signature": signature,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("POST /v1/inbound/sms on a webhook URL the runtime rewrites", () => {
  const paths = [
    "/v1/inbound/sms?store=o'brien",
    '/v1/inbound/sms?q="<b>"&store=o\'brien',
    "/v1/inbound/sms?",
    "/v1/inbound/sms?note=it's%20here",
    "/v1/inbound/sms?store=o%27brien",
  ];

  for (const path of paths) {
    it(`accepts a request Twilio signed for ${path}, as twilio.validateRequest does`, async () => {
      const params = paramsFor();
      const url = `${server.url}${path}`;
      const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      expect(twilio.validateRequest(TOKEN, signature, url, params)).toBe(true);
      const res = await post(path, params, signature);
      expect(res.status, res.body).toBe(200);
      expect(res.body).toMatch(/<Response><Message>Here is your cart\./);
    });
  }

  it("refuses a signature for another URL, another host or another token, as twilio.validateRequest does", async () => {
    const path = "/v1/inbound/sms?store=o'brien";
    const url = `${server.url}${path}`;
    const forged = [
      { signed: `${server.url}/v1/inbound/sms?store=o'neil`, token: TOKEN },
      { signed: `${server.url}/v1/inbound/sms?store=o"brien`, token: TOKEN },
      { signed: `${server.url}/v1/inbound/sms?store=o'brien&x`, token: TOKEN },
      { signed: `https://evil.example/v1/inbound/sms?store=o'brien`, token: TOKEN },
      { signed: url, token: "another-twilio-auth-token-0123456789" },
    ];
    for (const { signed, token } of forged) {
      const params = paramsFor();
      const signature = twilio.getExpectedTwilioSignature(token, signed, params);
      expect(twilio.validateRequest(TOKEN, signature, url, params), signed).toBe(false);
      const res = await post(path, params, signature);
      expect(res.status, `${signed}: ${res.body}`).toBe(403);
    }
    // A bare `?` is not an empty query in what Twilio signs either: a signature for `…/sms?` does not open `…/sms?x`.
    const params = paramsFor();
    const bare = twilio.getExpectedTwilioSignature(TOKEN, `${server.url}/v1/inbound/sms?`, params);
    expect((await post("/v1/inbound/sms?x", params, bare)).status).toBe(403);
  });
});
