import { describe, expect, it } from "vitest";
import { bytesEtag } from "../../src/channels/fingerprint";
import { matchesIfNoneMatch, strongEtag } from "../../src/lib/etag";

describe("strong ETags from the bytes sent", () => {
  it("the same bytes give the same tag; any changed, added or removed character gives another", () => {
    const body = JSON.stringify({ title: "Merino crew sweater", price: "€89.00", availability: "in_stock" });
    const tag = strongEtag(body);
    expect(tag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(strongEtag(body)).toBe(tag);
    const bodies = new Set<string>([body, `${body} `]);
    for (let i = 0; i < body.length; i++) {
      bodies.add(body.slice(0, i) + String.fromCharCode(body.charCodeAt(i) ^ 1) + body.slice(i + 1));
      bodies.add(body.slice(0, i) + body.slice(i + 1));
    }
    const tags = new Set([...bodies].map(strongEtag));
    expect(bodies.size).toBeGreaterThan(body.length);
    expect(tags.size).toBe(bodies.size);
  });

  /** The whole text encoded at once and read in one go: what reading it through the 64 KiB buffer in slices must give. */
  const oneShot = (text: string) => bytesEtag(new TextEncoder().encode(text));

  it("names the UTF-8 bytes: a text longer than its 64 KiB buffer, cut anywhere, tags as if read at once", () => {
    expect(strongEtag("")).toBe(oneShot(""));
    expect(strongEtag("€")).toMatch(/-3"$/);
    const SLICE = 64 * 1024;
    // Multi-byte characters (2, 3 and 4 bytes) falling across the buffer's end, at every offset of a word.
    for (const ch of ["é", "€", "😀"]) {
      for (let shift = 0; shift < 8; shift++) {
        const text = `${"a".repeat(SLICE - shift)}${ch.repeat(40)}tail`;
        expect(strongEtag(text)).toBe(oneShot(text));
      }
    }
    for (const size of [SLICE - 1, SLICE, SLICE + 1, 3 * SLICE + 5]) {
      const text = "é€😀x".repeat(Math.ceil(size / 5)).slice(0, size);
      expect(strongEtag(text)).toBe(oneShot(text));
    }
  });

  it("a large text's tag changes with one byte anywhere, and not with how the text was built", () => {
    const text = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ slug: `p-${i}`, price: "89,00 €" })));
    expect(text.length).toBeGreaterThan(2 * 64 * 1024);
    const tag = strongEtag(text);
    expect(strongEtag(text.split("").join(""))).toBe(tag);
    const tags = new Set([tag]);
    for (const at of [0, 1, 65_535, 65_536, 65_537, Math.floor(text.length / 2), text.length - 1]) {
      tags.add(strongEtag(text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1)));
    }
    expect(tags.size).toBe(8);
  });

  it("If-None-Match matches a listed tag, a weak form of it, or *", () => {
    expect(matchesIfNoneMatch('"a-1", "b-2"', '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch('W/"b-2"', '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch("*", '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch('"a-1"', '"b-2"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"b-2"')).toBe(false);
  });
});
