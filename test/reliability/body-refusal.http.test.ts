/**
 * The connection after a refused body (issue #13, defect 3), over real sockets
 * against the server as `npm start` runs it (src/node.ts `serve()`): a body over
 * the cap — with Content-Length or chunked — always gets its 413 problem+json,
 * with `Connection: close`, and the connection then closes cleanly (no reset, no
 * EPIPE while the client is still sending). Requests whose bodies were read keep
 * the connection alive as before.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serve } from "../../src/node";
import { checkedFetch } from "../helpers/contract";

let server: { url: string; close(): Promise<void> };
let port = 0;
let dir = "";
/** fetch against the server, each response checked against its /openapi.json. */
const call = (path: string, init?: RequestInit) => checkedFetch(server.url)(path, init);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "unison-413-"));
  server = await serve({
    port: 0,
    dbPath: join(dir, "shop.db"),
    env: { DEMO_JOURNEYS: "false", LOG_REQUESTS: "false", WEBHOOK_INTERVAL_MS: "0" },
    print: () => {},
  });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Exchange {
  /** Everything the server sent, as text. */
  text: string;
  /** A socket error the client saw (EPIPE, ECONNRESET), if any. */
  error?: string;
  /** Whether the server closed its side cleanly (FIN). */
  ended: boolean;
}

/** Opens a raw connection, lets `talk` write, and collects what comes back until the server closes or `waitMs` passes. */
function exchange(talk: (socket: Socket) => void, waitMs = 4000): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const result: Exchange = { text: "", ended: false };
    socket.on("data", (d: Buffer) => {
      result.text += d.toString("latin1");
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      result.error = e.code;
    });
    socket.on("end", () => {
      result.ended = true;
      socket.end();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(result);
    });
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on("connect", () => talk(socket));
  });
}

const head = (path: string, extra: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;

/** Writes `total` bytes of chunked body as fast as the socket takes them, then the last chunk. */
function pumpChunked(socket: Socket, total: number) {
  const chunk = Buffer.alloc(64 * 1024, 32);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      if (!socket.write("\r\n")) return void socket.once("drain", pump);
    }
    socket.write("0\r\n\r\n");
  };
  pump();
}

function expect413Closed(result: Exchange) {
  const [headers = "", body = ""] = result.text.split("\r\n\r\n");
  expect(headers).toMatch(/^HTTP\/1\.1 413 /);
  expect(headers).toMatch(/\r\nconnection: close/i);
  expect(headers).toMatch(/\r\ncontent-type: application\/problem\+json/i);
  expect(JSON.parse(body)).toMatchObject({ status: 413, code: "payload_too_large" });
  expect(result.error).toBeUndefined();
  expect(result.ended).toBe(true);
  // Only one answer: the rest of the body was never taken for a request.
  expect(result.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
}

it("a 300 KB Content-Length body gets 413 with Connection: close, and the connection closes cleanly", async () => {
  const result = await exchange((socket) => {
    socket.write(head("/v1/actions/view_cart", "Content-Length: 300000\r\n"));
    socket.write(Buffer.alloc(300_000, 32));
  });
  expect413Closed(result);
});

it("a 413 sent before the client has sent its body arrives too", async () => {
  const result = await exchange((socket) => socket.write(head("/v1/actions/view_cart", "Content-Length: 300000\r\n")));
  expect413Closed(result);
});

it("a 5 MB chunked body gets its 413 every time (3 of 3), with no EPIPE or reset", async () => {
  for (let i = 0; i < 3; i++) {
    const result = await exchange((socket) => {
      socket.write(head("/v1/actions/view_cart", "Transfer-Encoding: chunked\r\n"));
      pumpChunked(socket, 5 * 1024 * 1024);
    });
    expect413Closed(result);
  }
});

it("a refusal before the body is read (401 on an upload) closes the same way", async () => {
  const result = await exchange((socket) => {
    socket.write(head("/v1/admin/products", "Content-Length: 200000\r\nAuthorization: Bearer unison_sk_nope\r\n"));
    socket.write(Buffer.alloc(200_000, 32));
  });
  expect(result.text).toMatch(/^HTTP\/1\.1 401 /);
  expect(result.text).toMatch(/\r\nconnection: close/i);
  expect(result.error).toBeUndefined();
  expect(result.ended).toBe(true);
});

it("requests whose bodies were read keep the connection alive", async () => {
  const body = '{"channel":"web","identity":{"channel":"web","externalId":"keepalive"}}';
  const request = `POST /v1/actions/view_cart HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const result = await exchange((socket) => {
    socket.write(request);
    setTimeout(() => socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 200);
  }, 1500);
  const statuses = [...result.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  expect(statuses).toHaveLength(2);
  expect(result.text).not.toMatch(/connection: close/i);
});

it("requests without a body keep the connection alive, cache hits answered before routing included", async () => {
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
  const result = await exchange((socket) => {
    socket.write(get("/v1/products/merino-crew-sweater"));
    setTimeout(() => socket.write(get("/v1/products/merino-crew-sweater")), 150);
    setTimeout(() => socket.write(get("/healthz")), 300);
  }, 1500);
  const statuses = [...result.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  expect(statuses).toEqual(["200", "200", "200"]);
  expect(result.text).toMatch(/cache-status: unison; hit/i);
  expect(result.text).not.toMatch(/connection: close/i);
  expect(result.ended).toBe(false);
});

it("fetch reads the 413 and its next request (on a new connection) is answered", async () => {
  const refused = await call("/v1/actions/view_cart", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "x".repeat(300_000),
  });
  expect(refused.status).toBe(413);
  expect(((await refused.json()) as { code: string }).code).toBe("payload_too_large");
  expect((await call("/healthz")).status).toBe(200);
});
