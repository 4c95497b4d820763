/**
 * `memoized` (src/db/client.ts): a read remembered until the database changes, on a real SQLite file's
 * change stamp. Once full, a new key is kept only on its second miss (one-off reads leave the remembered
 * ones alone), and what it keeps of a plain object is its own copy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MEMO_BYTES, memoBudget, memoEntries, memoized, memoStats, weighValue } from "../../src/db/client";
import { openSqlite, type SqliteDatabase } from "../../src/node/sqlite";

/** How many reads the default memo keeps at most. */
const MEMO_ENTRIES = memoEntries(MEMO_BYTES);

let dir: string;
let db: SqliteDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "unison-memo-"));
  db = openSqlite(join(dir, "memo.db"));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A loader that counts its runs and answers a fresh object each time. */
function counted(name: string) {
  const loader = async () => {
    loader.runs++;
    return { name, run: loader.runs };
  };
  loader.runs = 0;
  return loader;
}

/** A write that moves the change stamp (a real statement, as a publish would be). */
const write = () => db.client.exec("CREATE TABLE IF NOT EXISTS memo_probe (x); INSERT INTO memo_probe VALUES (1)");

/** Remembers `count` keys nobody asks for again. */
async function fill(count: number, prefix = "filler") {
  for (let i = 0; i < count; i++) await memoized(db, `${prefix}|${i}`, async () => ({ i }));
}

describe("memoized", () => {
  it("answers a repeated read from memory until the database changes", async () => {
    const load = counted("a");
    expect(await memoized(db, "a", load)).toEqual({ name: "a", run: 1 });
    expect(await memoized(db, "a", load)).toEqual({ name: "a", run: 1 });
    expect(load.runs).toBe(1);
    write();
    expect(await memoized(db, "a", load)).toEqual({ name: "a", run: 2 });
    expect(await memoized(db, "a", load)).toEqual({ name: "a", run: 2 });
    expect(load.runs).toBe(2);
  });

  it("keeps its own copy of a plain object, equal to the loader's; other values as they are", async () => {
    const first = await memoized(db, "plain", async () => ({ body: "{}", tag: '"x"' }));
    const again = await memoized(db, "plain", async () => ({ body: "other", tag: "other" }));
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    // Arrays, maps and class instances are kept as they are: the memo's answer is the loader's.
    const list = await memoized(db, "list", async () => [1, 2, 3]);
    expect(await memoized(db, "list", async () => [])).toBe(list);
    const map = await memoized(db, "map", async () => new Map([["k", 1]]));
    expect(await memoized(db, "map", async () => new Map())).toBe(map);
    expect(await memoized(db, "null", async () => null)).toBeNull();
    expect(await memoized(db, "null", async () => ({ not: "asked" }))).toBeNull();
  });

  it("once full, keeps a new key on its second miss, and still answers the keys it holds", async () => {
    const held = counted("held");
    await memoized(db, "held", held);
    await fill(MEMO_ENTRIES - 1);
    // Full: a key never seen is read and not kept…
    const once = counted("once");
    await memoized(db, "once", once);
    await memoized(db, "held", held);
    expect(held.runs).toBe(1);
    // …its second miss is kept, and the third read comes from memory.
    await memoized(db, "once", once);
    expect(once.runs).toBe(2);
    expect(await memoized(db, "once", once)).toEqual({ name: "once", run: 2 });
    expect(once.runs).toBe(2);
  });

  it("once full, one-off reads do not push out what is asked for again", async () => {
    const hot = counted("hot");
    await memoized(db, "hot", hot);
    await fill(MEMO_ENTRIES - 1);
    // Ten times the memo's size of keys asked for once each, the hot key read between them.
    for (let i = 0; i < MEMO_ENTRIES * 10; i++) {
      await memoized(db, `one-off|${i}`, async () => ({ i }));
      if (i % 1000 === 0) await memoized(db, "hot", hot);
    }
    expect(hot.runs).toBe(1);
  });

  it("a held key whose answer went stale is read again and kept, without waiting for a second miss", async () => {
    const held = counted("held");
    await memoized(db, "held", held);
    await fill(MEMO_ENTRIES - 1);
    write();
    expect(await memoized(db, "held", held)).toEqual({ name: "held", run: 2 });
    expect(await memoized(db, "held", held)).toEqual({ name: "held", run: 2 });
    expect(held.runs).toBe(2);
  });
});

describe("memoized within READ_MEMO_BYTES", () => {
  it("weighs a value as V8 holds it: strings by length, slots for the rest", () => {
    expect(weighValue("x".repeat(1000))).toBe(1016);
    expect(weighValue({ body: "x".repeat(1000), tag: '"t"' })).toBe(16 + 8 + 1016 + 8 + 19);
    expect(weighValue([1, "ab"])).toBe(16 + 8 + 8 + 8 + 18);
    expect(weighValue(new Map([["k", 1]]))).toBe(16 + 16 + 17 + 8);
    // A cycle is cut at depth six, not followed for ever.
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(weighValue(loop)).toBe(7 * 24 + 64);
  });

  it("0 turns the memo off: every read loads", async () => {
    memoBudget(db, 0);
    const load = counted("off");
    await memoized(db, "off", load);
    await memoized(db, "off", load);
    expect(load.runs).toBe(2);
    expect(memoStats(db)).toEqual({ bytes: 0, size: 0, weight: 0 });
  });

  it("never keeps a value heavier than the whole budget, and drops the stale one it replaces", async () => {
    memoBudget(db, 16 * 1024);
    let text = "small";
    const load = async () => {
      load.runs++;
      return text;
    };
    load.runs = 0;
    await memoized(db, "grows", load);
    await memoized(db, "grows", load);
    expect(load.runs).toBe(1);
    expect(memoStats(db)?.size).toBe(1);
    write();
    text = "x".repeat(16 * 1024);
    await memoized(db, "grows", load);
    await memoized(db, "grows", load);
    expect(load.runs).toBe(3);
    expect(memoStats(db)).toEqual({ bytes: 16 * 1024, size: 0, weight: 0 });
  });

  it("evicts by bytes before it reaches its count, the least recently used first", async () => {
    memoBudget(db, 64 * 1024); // 64 reads at most, full at 56 KiB
    const loads = Array.from({ length: 8 }, (_, i) => {
      const load = async () => {
        load.runs++;
        return `${i}`.repeat(9000);
      };
      load.runs = 0;
      return load;
    });
    for (let i = 0; i < 7; i++) await memoized(db, `k${i}`, loads[i]!);
    const weight = memoStats(db)?.weight ?? 0;
    expect(weight).toBe(7 * (2 * 2 + 96 + 16 + 9000));
    // Full by weight with 7 of 64: the eighth key is kept on its second miss, and k0, the oldest, makes room.
    await memoized(db, "k7", loads[7]!);
    expect(memoStats(db)?.size).toBe(7);
    await memoized(db, "k7", loads[7]!);
    expect(memoStats(db)).toEqual({ bytes: 64 * 1024, size: 7, weight });
    await memoized(db, "k1", loads[1]!);
    await memoized(db, "k7", loads[7]!);
    expect(loads[1]!.runs).toBe(1);
    expect(loads[7]!.runs).toBe(2);
    await memoized(db, "k0", loads[0]!);
    expect(loads[0]!.runs).toBe(2);
  });

  it("a new budget starts the memo empty; the same budget again keeps it", async () => {
    const load = counted("kept");
    memoBudget(db, 1024 * 1024);
    await memoized(db, "kept", load);
    memoBudget(db, 1024 * 1024);
    await memoized(db, "kept", load);
    expect(load.runs).toBe(1);
    memoBudget(db, 2 * 1024 * 1024);
    await memoized(db, "kept", load);
    expect(load.runs).toBe(2);
    expect(memoStats(db)?.bytes).toBe(2 * 1024 * 1024);
  });
});
