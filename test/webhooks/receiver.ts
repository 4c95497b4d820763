/** A real HTTP receiver on loopback for outbound webhook tests: records each request, answers as told. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The answers to give, in order (the last one repeats); each a status and optional headers and body (default "ok"). */
  answer(...statuses: (number | Answer)[]): void;
  close(): Promise<void>;
}

type Answer = { status: number; headers: Record<string, string>; body?: string };

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let answers: (number | Answer)[] = [200];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      const answer: Answer = typeof next === "number" ? { status: next, headers: {} } : next;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (...statuses) => {
      answers = statuses;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
