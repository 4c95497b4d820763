/**
 * The audit reads claims line by line, remembered, and reads a render's text with its control labels cut
 * out in the same pass (src/consistency/claims.ts): whatever the text and the labels, that gives the claims
 * `claimsIn` finds in each line of the text, and in each line of the text once the labels are cut.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeLink } from "../../src/channels/contract";
import { type Claim, claimsByLine, claimsByLineCut, claimsIn, cutOut, namesSameEntity } from "../../src/consistency/claims";

const perLine = (text: string, locales: readonly string[]) => text.split("\n").flatMap((line) => (line ? claimsIn(line, locales) : []));

const LABELS = ["Add to cart", "Ajouter au panier", "View details", "Notify me when in stock", "Notify me", "Buy 2 for €30.00"];
const FRAGMENTS = [
  ...LABELS,
  "€89.00",
  "89,00\u00a0€",
  "EUR 1,234.50",
  "20% off",
  "120%",
  "until 6 January 2027",
  "le 1er janvier",
  "2027-01-06",
  "06/01/2027",
  "In stock",
  "En stock",
  "Out of stock",
  "code WINTER20",
  "K7QM3XZT",
  "10 euros",
  "ten dollars",
  "€１０",
  "thirty percent",
  "Free",
  "half price",
  "Sold out",
  "end of January",
  "https://shop.example/products/merino-crew-sweater",
  "HTTPS://Shop.Example/Products/x",
  "www.fjord-deals.example/tent",
  "Merino crew sweater",
  " ",
  " · ",
  "\n",
  "\n\n",
  // The separators a line is read by parts at, and the pieces a claim could try to run across one with.
  " - ",
  " — ",
  " – ",
  " | ",
  " : ",
  "  ",
  "   ",
  "·",
  "-",
  ":",
  "code",
  "WINTER20",
  "EUR",
  "€",
  "6",
  "30",
  "January",
  "2027",
  "%",
  "per cent",
  "www.",
  "x.example/",
  "GBP7",
  "_B",
];

/** Claims in a stable order (a line read by parts lists each part's claims in turn: the same claims, kinds interleaved). */
const sorted = (claims: readonly Claim[]) =>
  [...claims].sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value) || a.text.localeCompare(b.text));

describe("claims read line by line", () => {
  it("are claimsIn's of each line, and of each line with the labels cut out, for any text and labels (a line read by parts too)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }),
        fc.subarray(LABELS),
        fc.constantFrom(["en"], ["fr"], ["fr", "en"]),
        (parts, labels, locales) => {
          const text = parts.join("");
          const cuts = [...labels].sort((a, b) => b.length - a.length);
          const read = claimsByLineCut(text, locales, cuts);
          // The same text with the same cuts straight after: the last read, the same claims.
          expect(claimsByLineCut(text, locales, cuts)).toBe(read);
          expect(sorted(read.claims)).toEqual(sorted(perLine(text, locales)));
          expect(sorted(read.cut)).toEqual(sorted(perLine(cutOut(text, cuts), locales)));
          // Read twice (from the memo): the same claims.
          expect(claimsByLine(text, locales)).toEqual(read.claims);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("reads a line by parts only where no claim runs across the separator", () => {
    const lines = [
      "S · €17.03 · In stock",
      "Tent - €89.00 - In stock",
      "M — 22,03 € — En stock",
      "code : WINTER20 | 20% off",
      "S €17.03  In stock",
      "code  WINTER20",
      "COUPON  K7QM3XZT   code   X",
      "EUR  20  €  5  20  %  6  January  2027",
      "code - WINTER20",
      "until 6 January - 2027 · 2027-01-06",
      "EUR - 20 · 20 - EUR",
      "www.fjord-deals.example/tent - https://shop.example/products/x",
      "20 - % · per - cent",
    ];
    for (const line of lines) expect(sorted(claimsByLine(line, ["en"])), line).toEqual(sorted(claimsIn(line, ["en"])));
  });

  it("normalises links already normal to themselves, and the others' scheme and host to lower case", () => {
    expect(normalizeLink("https://shop.example/products/x")).toBe("https://shop.example/products/x");
    expect(normalizeLink("https://shop.example")).toBe("https://shop.example");
    expect(normalizeLink("HTTPS://Shop.Example/Products/X")).toBe("https://shop.example/Products/X");
    expect(normalizeLink("https://SHOP.example?q=A")).toBe("https://shop.example?q=A");
    expect(normalizeLink("https://bücher.Example/x")).toBe("https://bücher.example/x");
    expect(normalizeLink("www.fjord-deals.example/tent")).toBe("https://www.fjord-deals.example/tent");
    expect(normalizeLink("ftp://Files.example/A")).toBe("ftp://files.example/A");
  });
});

describe("amounts and identifiers", () => {
  const money = (text: string) =>
    claimsIn(text, ["en"])
      .filter((c) => c.kind === "money")
      .map((c) => c.value);

  it("a currency code glued to digits inside a SKU is not an amount (false refusals found at 100k products)", () => {
    expect(money('{"sku":"GBP7-0"}')).toEqual([]);
    expect(money("SKU X-EUR20, size S")).toEqual([]);
    expect(money("ref USD100_B")).toEqual([]);
    // Amounts stay amounts, glued or not, and at the end of a sentence.
    expect(money("GBP7 today")).toEqual(["GBP 7"]);
    expect(money("only EUR20.")).toEqual(["EUR 20"]);
    expect(money("GBP 7.50!")).toEqual(["GBP 7.5"]);
    expect(money("from €10-20")).toEqual(["EUR 10"]);
  });
});

describe("claims written in other words (what the first gate let through)", () => {
  const keys = (text: string, locales = ["en"]) => claimsIn(text, locales).map((c) => `${c.kind}:${c.value}`);

  it("reads figures as a reader reads them: full-width, other scripts' digits, currencies in words and in any case", () => {
    expect(keys("Now only €１０!")).toEqual(["money:EUR 10"]);
    expect(keys("ＥＵＲ 10")).toEqual(["money:EUR 10"]);
    expect(keys("€١٠ or €१०")).toEqual(["money:EUR 10", "money:EUR 10"]);
    expect(keys("10 euros, ten dollars, 5 quid, 10eur, Eur 12, A$10, ₤3")).toEqual([
      "money:AUD 10",
      "money:GBP 3",
      "money:EUR 10",
      "money:USD 10",
      "money:GBP 5",
      "money:EUR 10",
      "money:EUR 12",
    ]);
    // A weight, a book, a SKU in lower case: no amount.
    expect(keys("Weighs 2 pounds; 3 livres de recettes; ref gbp7-0")).toEqual([]);
    // No-break spaces that group thousands stay grouping: only the compatibility characters are replaced.
    expect(keys("1\u202f234,50\u00a0€ ou ５ €", ["fr"])).toEqual(["money:EUR 1234.5", "money:EUR 5"]);
  });

  it("reads offers, percentages in words, months alone and other words for an availability", () => {
    expect(keys("Free! Half price, buy one get one free")).toEqual(["offer:free", "offer:half-price", "offer:two-for-one"]);
    expect(keys("PFAS-free, free from PFAS, free of lead")).toEqual([]);
    expect(keys("thirty percent, vingt pour cent")).toEqual(["percent:30", "percent:20"]);
    expect(keys("until 6 Jan, then all of February")).toEqual(["date:--01-06", "date:--02"]);
    // A month named in a date is the date; "may" is a verb.
    expect(keys("until 6 January 2027; it may vary in May")).toEqual(["date:2027-01-06"]);
    expect(keys("Sold out. Available now! Coming soon. Épuisé.")).toEqual([
      "availability:out_of_stock",
      "availability:in_stock",
      "availability:preorder",
      "availability:out_of_stock",
    ]);
  });

  it("a title or label names its base only with half of its words, every number and no new symbol or mark", () => {
    expect(namesSameEntity("Merino crew", "Merino crew sweater")).toBe(true);
    expect(namesSameEntity("Stoneware bowls (set of four)", "Stoneware bowls (set of 4)")).toBe(true);
    expect(namesSameEntity("Add", "Add to cart")).toBe(true);
    expect(namesSameEntity("Merino", "Merino hiking socks")).toBe(false);
    expect(namesSameEntity("Stoneware bowls", "Stoneware bowls (set of 4)")).toBe(false);
    expect(namesSameEntity("Merino crew sweater 🆓", "Merino crew sweater")).toBe(false);
    expect(namesSameEntity("M\u0336erino crew sweater", "Merino crew sweater")).toBe(false);
    expect(namesSameEntity("Merino crew sweater\u202e", "Merino crew sweater")).toBe(false);
    expect(namesSameEntity("Return", "Add to cart")).toBe(false);
  });
});
