/**
 * Requests without a body, over real sockets against the server as `npm start` runs it (src/node.ts `serve()`):
 * RFC 9112 §6.3 — a request with neither Content-Length nor Transfer-Encoding has no body. @hono/node-server hands
 * every POST a body stream all the same, which an in-process `app.request()` does not reproduce: these requests
 * are written byte by byte on a socket, as `curl -X POST` sends them.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server";

let server: RunningServer;
let admin: Record<string, string>;
beforeAll(async () => {
  server = await startServer();
  admin = { authorization: `Bearer ${server.adminKey}` };
});
afterAll(async () => {
  await server.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a request head exactly as given (no body, no framing headers unless listed) and reads the answer until the server closes. */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { host } = new URL(server.url);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${method} ${path} within 5 s`)), 5000);
    socket.on("data", (d: Buffer) => {
      text += d.toString("utf8");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(":");
        parsed[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body: rest.join("\r\n\r\n") });
    });
    socket.on("connect", () => socket.write(`${lines.join("\r\n")}\r\n\r\n`));
  });
}

/** The body of an answer that may be chunked: the JSON object inside it. */
function jsonOf(answer: Answer): Record<string, unknown> {
  const start = answer.body.indexOf("{");
  const end = answer.body.lastIndexOf("}");
  return JSON.parse(answer.body.slice(start, end + 1)) as Record<string, unknown>;
}

/** The current ETag of an admin entry. */
async function etagOf(path: string): Promise<string> {
  const res = await fetch(`${server.url}${path}`, { headers: admin });
  expect(res.status, await res.clone().text()).toBe(200);
  await res.arrayBuffer();
  return res.headers.get("etag") ?? "";
}

describe("a request with neither Content-Length nor Transfer-Encoding has no body (npm start)", () => {
  it("POST …/unpublish without a body, Content-Length or Content-Type is done, not 415", async () => {
    const path = "/v1/admin/messages/faq_repairs";
    const answer = await raw("POST", `${path}/unpublish`, { ...admin, "If-Match": await etagOf(path) });
    expect(answer.status, answer.body).toBe(200);
    expect(jsonOf(answer)).toMatchObject({ key: "faq_repairs", status: "draft" });
  });

  it("POST …/publish with a JSON Content-Type and no body is done too (many clients send one)", async () => {
    const path = "/v1/admin/messages/faq_repairs";
    const answer = await raw("POST", `${path}/publish`, { ...admin, "If-Match": await etagOf(path), "Content-Type": "application/json" });
    expect(answer.status, answer.body).toBe(200);
    expect(jsonOf(answer)).toMatchObject({ key: "faq_repairs", status: "published" });
  });

  it("PATCH without a body is still 400 validation_failed: a merge-patch needs a document", async () => {
    const path = "/v1/admin/messages/faq_sizing";
    const answer = await raw("PATCH", path, { ...admin, "If-Match": await etagOf(path) });
    expect(answer.status, answer.body).toBe(400);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(jsonOf(answer)).toMatchObject({ code: "validation_failed", status: 400 });
  });

  it("PUT on a read-only resource without a body is 405 with Allow, not 415", async () => {
    const answer = await raw("PUT", "/v1/products/merino-crew-sweater");
    expect(answer.status, answer.body).toBe(405);
    expect(answer.headers.allow).toBe("GET, HEAD");
    expect(jsonOf(answer)).toMatchObject({ code: "method_not_allowed", status: 405 });
  });

  it("a body of another media type is still 415 where a route takes the method", async () => {
    const path = "/v1/admin/messages/faq_wool_care";
    const answer = await raw("POST", `${path}/unpublish`, { ...admin, "If-Match": await etagOf(path), "Content-Type": "text/plain" });
    expect(answer.status).toBe(200); // no body: the type of nothing does not matter
    const typed = await fetch(`${server.url}${path}/publish`, {
      method: "POST",
      headers: { ...admin, "if-match": await etagOf(path), "content-type": "text/plain" },
      body: "publish it",
    });
    expect(typed.status, await typed.clone().text()).toBe(415);
    expect(((await typed.json()) as { code: string }).code).toBe("unsupported_media_type");
  });
});
