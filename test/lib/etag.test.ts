import { describe, expect, it } from "vitest";
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

  it("If-None-Match matches a listed tag, a weak form of it, or *", () => {
    expect(matchesIfNoneMatch('"a-1", "b-2"', '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch('W/"b-2"', '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch("*", '"b-2"')).toBe(true);
    expect(matchesIfNoneMatch('"a-1"', '"b-2"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"b-2"')).toBe(false);
  });
});
