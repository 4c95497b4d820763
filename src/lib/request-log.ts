/**
 * The request log line: `{"at","requestId","method","path","status","ms","keyId"}`, one JSON object per
 * request (never headers or keys). Written as text rather than `JSON.stringify` of a record, with the
 * time formatted once per millisecond: a cached delivery answer is a few tens of µs, and the record and
 * `toISOString` were several of them (`npm run bench:paired`, logging on as by default). The same bytes as
 * `JSON.stringify` of the record (test/lib/request-log.test.ts). Runtime-neutral.
 */

export type RequestLogLine = (
  at: Date,
  requestId: string,
  method: string,
  path: string,
  status: number,
  ms: number,
  keyId: string | null,
) => string;

/**
 * @example
 * const line = requestLogLine();
 * line(new Date(), "req-1", "GET", "/v1/products", 200, 0.4, null);
 * // {"at":"2026-12-06T12:00:00.000Z","requestId":"req-1","method":"GET","path":"/v1/products","status":200,"ms":0.4,"keyId":null}
 */
export function requestLogLine(): RequestLogLine {
  let formattedMs = Number.NaN;
  let formatted = "";
  return (at, requestId, method, path, status, ms, keyId) => {
    const time = at.getTime();
    if (time !== formattedMs) {
      formattedMs = time;
      formatted = at.toISOString();
    }
    return `{"at":"${formatted}","requestId":${JSON.stringify(requestId)},"method":${JSON.stringify(method)},"path":${JSON.stringify(path)},"status":${number(status)},"ms":${number(ms)},"keyId":${keyId === null ? "null" : JSON.stringify(keyId)}}`;
  };
}

/** A number as JSON writes it (a finite number's shortest form; anything else null). */
function number(n: number): string {
  return Number.isFinite(n) ? String(n) : "null";
}
