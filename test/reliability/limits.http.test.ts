/**
 * docs/reliability.md (limits: body, nesting, URL, headers, page size, rate limits) — over real sockets against the server as `npm start` runs it
 * (src/node.ts `serve()`):
 *   - the connection after a refused body (issue #13, defect 3): a body over the cap — with
 *     Content-Length or chunked — always gets its 413 problem+json, with `Connection: close`, and the
 *     connection then closes cleanly (no reset, no EPIPE while the client is still sending);
 *     requests whose bodies were read keep the connection alive as before;
 *   - JSON nesting depth, URL length, header size, page size: a clean refusal, never a hang or a 5xx;
 *   - the Node in-memory rate limiter: RateLimit / RateLimit-Policy on answers, 429 problem+json
 *     with Retry-After past the budget (the Workers binding: test/worker/rate-limit.test.ts).
 * Each limit and what was seen is printed as one figure line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/lib/json-depth";
import { MAX_PAGE } from "../../src/lib/pagination";
import { serve } from "../../src/node";

let server: { url: string; close(): Promise<void> };
let port = 0;
let dir = "";
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
const seen: string[] = [];
afterAll(async () => {
  console.log(`reliability: limits | ${seen.join("; ")}`);
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
  seen.push("body 300 KB with Content-Length → 413 problem+json, Connection: close, clean FIN");
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
  seen.push("body 5 MB chunked → 413 3 of 3, 0 EPIPE/resets");
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
  const refused = await fetch(`${server.url}/v1/actions/view_cart`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "x".repeat(300_000),
  });
  expect(refused.status).toBe(413);
  expect(((await refused.json()) as { code: string }).code).toBe("payload_too_large");
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
});

/** The status line, headers (lower-cased names) and body of the first answer in a raw exchange. */
function firstAnswer(text: string) {
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
}

describe("nesting, URL, headers and page size", () => {
  it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is 400 json_too_deep; ${MAX_JSON_DEPTH} levels are parsed`, async () => {
    const nested = (depth: number) => `{"channel":"web","input":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
    const refused = [];
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      const res = await fetch(`${server.url}/v1/actions/view_cart`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: nested(depth),
      });
      expect(res.status, `depth ${depth}`).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("json_too_deep");
      refused.push(depth);
    }
    const atLimit = await fetch(`${server.url}/v1/actions/view_cart`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: nested(MAX_JSON_DEPTH),
    });
    expect(((await atLimit.json()) as { code?: string }).code).not.toBe("json_too_deep");
    seen.push(`JSON depth ${refused.join(" / ")} → 400 json_too_deep (limit ${MAX_JSON_DEPTH})`);
  });

  it("a URL over Node's 16 KB header limit is refused with a clean close; one under it is a 400 problem, connection kept", async () => {
    const under = await exchange(
      (socket) => socket.write(`GET /v1/products?q=${"a".repeat(12_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
      1500,
    );
    const answer = firstAnswer(under.text);
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(under.ended).toBe(false);
    for (const size of [20_000, 1_000_000]) {
      const over = await exchange((socket) => {
        socket.write(`GET /v1/products?q=${"a".repeat(size)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      });
      const refused = firstAnswer(over.text);
      expect(refused.status, `${size}-byte URL`).toBe(431);
      expect(refused.headers.connection).toBe("close");
      expect(over.ended, "closed by the server").toBe(true);
      expect(over.error).toBeUndefined();
    }
    seen.push("URL 12 KB → 400 problem+json (q too long), 20 KB / 1 MB → 431 + clean close");
  });

  it("headers over 16 KB (one large or many small) are refused with a clean close", async () => {
    const one = await exchange((socket) =>
      socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    );
    const many = await exchange((socket) =>
      socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: 1\r\n`).join("")}\r\n`),
    );
    for (const result of [one, many]) {
      expect(firstAnswer(result.text).status).toBe(431);
      expect(result.ended).toBe(true);
      expect(result.error).toBeUndefined();
    }
    seen.push("headers 20 KB in one / 3,000 small → 431 + clean close");
  });

  it(`a page size above ${MAX_PAGE} is 400 with the pointer to limit`, async () => {
    for (const path of ["/v1/products", "/v1/messages", "/v1/actions"]) {
      const res = await fetch(`${server.url}${path}?limit=${MAX_PAGE + 1}`);
      expect(res.status, path).toBe(400);
      const problem = (await res.json()) as { errors: { in: string; pointer: string }[] };
      expect(problem.errors).toEqual([expect.objectContaining({ in: "query", pointer: "/limit" })]);
    }
    const max = await fetch(`${server.url}/v1/products?limit=${MAX_PAGE}`);
    expect(max.status).toBe(200);
    await max.arrayBuffer();
    seen.push(`page size ${MAX_PAGE + 1} → 400 pointer /limit (max ${MAX_PAGE} → 200)`);
  });
});

describe("rate limits (Node in-memory limiter)", () => {
  let limited: { url: string; adminKey?: string; close(): Promise<void> };
  beforeAll(async () => {
    limited = await serve({
      port: 0,
      dbPath: join(dir, "limited.db"),
      contentDir: join(dir, "no-content"),
      env: { LOG_REQUESTS: "false", WEBHOOK_INTERVAL_MS: "0", RATE_LIMIT_PER_MINUTE: "5" },
      print: () => {},
    });
  });
  afterAll(() => limited.close());

  it("announces the budget on every answer, refuses the 6th request in a minute with 429 + Retry-After; a key has its own budget", async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${limited.url}/v1/products`);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe('"default";q=5;w=60');
      remaining.push(/r=(\d+)/.exec(res.headers.get("ratelimit") ?? "")?.[1] ?? "?");
      await res.arrayBuffer();
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    const refused = await fetch(`${limited.url}/v1/products`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit")).toMatch(/r=0/);
    expect(((await refused.json()) as { code: string }).code).toBe("rate_limited");
    const withKey = await fetch(`${limited.url}/v1/products`, { headers: { authorization: `Bearer ${limited.adminKey}` } });
    expect(withKey.status).toBe(200);
    await withKey.arrayBuffer();
    seen.push(`rate limit 5/min → RateLimit r=4…0, 6th → 429 rate_limited, Retry-After ${retryAfter} s; a key's own budget → 200`);
  });
});
