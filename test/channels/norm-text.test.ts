import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NEEDS_NFC, normText } from "../../src/channels/contract";

/** The definition normText keeps: NFC always, then every run of spaces one ASCII space, trimmed. */
const definition = (text: string) => text.normalize("NFC").replace(/\s+/g, " ").trim();

/** The characters normText does not normalise: every BMP character its NEEDS_NFC class leaves out. */
const SAFE = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).filter((c) => !NEEDS_NFC.test(c));

describe("normText: the fast paths change nothing", () => {
  it("every character it skips normalising is in NFC alone and beside any other of them (every pair)", () => {
    expect(SAFE.length).toBe(959);
    let unstable: string[] = [];
    for (const a of SAFE) {
      if (a.normalize("NFC") !== a) unstable.push(a);
      for (const b of SAFE) if ((a + b).normalize("NFC") !== a + b) unstable.push(a + b);
    }
    expect(unstable).toEqual([]);
    // The check itself can fail: U+2000 (EN QUAD) is replaced by NFC, which is why the class starts at U+2002.
    unstable = ["\u2000", "e\u0301"].filter((s) => s.normalize("NFC") !== s);
    expect(unstable).toEqual(["\u2000", "e\u0301"]);
  });

  it("no character it skips composes onto the one before it (none is a later part of any canonical decomposition)", () => {
    const safe = new Set(SAFE);
    const composing: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const parts = [...String.fromCodePoint(cp).normalize("NFD")];
      for (const p of parts.slice(1)) if (safe.has(p)) composing.push(p);
    }
    expect(composing).toEqual([]);
  });

  it("equals the definition on any text: random Unicode, and texts of spaces, marks and the characters at the class's edges", () => {
    const edgy = fc.constantFrom(
      " ",
      "  ",
      "\t",
      "\n",
      "\u00a0",
      "\u2000",
      "\u2001",
      "\u2002",
      "\u2007",
      "\u202f",
      "\u3000",
      "\ufeff",
      "e",
      "\u0301",
      "\u0327",
      "\u02ff",
      "\u0300",
      "\u20c0",
      "\u20c1",
      "\u20d0",
      "\u212b",
      "€",
      "é",
      "A",
      "가",
      "\u1161",
    );
    const texts = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.array(edgy, { maxLength: 20 }).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(texts, (text) => normText(text) === definition(text)),
      { numRuns: 20_000 },
    );
  });
});
