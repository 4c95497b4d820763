import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestLogLine } from "../../src/lib/request-log";
import { lineWriter } from "../../src/node/log";

describe("requestLogLine", () => {
  it("writes the same bytes as JSON.stringify of the record, call after call (the time formatted once per millisecond)", () => {
    const record = fc.record({
      at: fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2999-12-31T23:59:59.999Z"), noInvalidDate: true }),
      requestId: fc.string({ unit: "binary" }),
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", 'GE"T'),
      path: fc.string({ unit: "binary" }),
      status: fc.integer({ min: 100, max: 599 }),
      ms: fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -0, 0.1, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY)),
      keyId: fc.option(fc.string({ unit: "binary" })),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), (records) => {
        // Neighbouring records in the same millisecond, and a millisecond seen again after another.
        const line = requestLogLine();
        const withRepeats = records.flatMap((r) => [r, { ...r, at: new Date(r.at.getTime()), requestId: `${r.requestId}'` }]);
        for (const r of [...withRepeats, ...withRepeats]) {
          const written = line(r.at, r.requestId, r.method, r.path, r.status, r.ms, r.keyId);
          expect(written).toBe(JSON.stringify({ ...r, at: r.at.toISOString() }));
          expect(JSON.parse(written).at).toBe(r.at.toISOString());
        }
      }),
    );
  });
});

describe("lineWriter", () => {
  const turn = () => new Promise((done) => setImmediate(done));

  it("writes the lines of one event-loop turn together, in order, once the turn ends", async () => {
    const writes: string[] = [];
    const log = lineWriter((text) => writes.push(text));
    log.line("one");
    log.line('{"two":2}');
    log.line("three");
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['one\n{"two":2}\nthree\n']);
    log.line("four");
    await turn();
    expect(writes).toEqual(['one\n{"two":2}\nthree\n', "four\n"]);
  });

  it("writes at once when the waiting text reaches its limit, and flush() writes the rest (nothing when nothing waits)", async () => {
    const writes: string[] = [];
    const log = lineWriter((text) => writes.push(text), 10);
    log.line("12345");
    expect(writes).toEqual([]);
    log.line("678");
    expect(writes).toEqual(["12345\n678\n"]);
    log.line("9");
    log.flush();
    expect(writes).toEqual(["12345\n678\n", "9\n"]);
    log.flush();
    await turn();
    expect(writes).toEqual(["12345\n678\n", "9\n"]);
  });
});
