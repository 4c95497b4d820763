/**
 * Claims: what a text asserts that a customer could hold the shop to — money
 * amounts, percentages, dates, availability, codes and links — read out of any
 * text and normalised, so "€89.00", "89,00 €" and "EUR 89" are one claim and
 * "120%" is never "20%". The engine extracts the claims of every rendered
 * output (whatever its channel: it reads `Inspection.text`) and compares them
 * with the claims the canonical content makes, both ways; the audit compares
 * an override's claims with its base text's. Pure and runtime-neutral.
 */
import { AVAILABILITIES, type Availability } from "../catalogue/documents";
import { linksIn } from "../channels/contract";
import { wording } from "../channels/wording";
import { BoundedMemo, detached } from "./memo";

export type ClaimKind = "money" | "percent" | "date" | "availability" | "offer" | "code" | "link";

export interface Claim {
  kind: ClaimKind;
  /**
   * The normalised value: `EUR 89`, `20`, `2027-01-06` (`--01-06` without a year, `--01` a month alone), `in_stock`,
   * `free`, `WINTER20`, a link.
   */
  value: string;
  /** The text as written. */
  text: string;
}

/** A claim's identity, for sets: `money:EUR 89`. */
export const claimKey = (c: Pick<Claim, "kind" | "value">) => `${c.kind}:${c.value}`;

// --- Money -----------------------------------------------------------------------------------

const SYMBOLS: Record<string, string> = {
  "€": "EUR",
  $: "USD",
  US$: "USD",
  A$: "AUD",
  AU$: "AUD",
  C$: "CAD",
  CA$: "CAD",
  NZ$: "NZD",
  HK$: "HKD",
  "£": "GBP",
  "₤": "GBP",
  "¥": "JPY",
  "₹": "INR",
  CHF: "CHF",
  kr: "SEK",
};
const ISO_CODES = "EUR USD GBP JPY CHF SEK NOK DKK CAD AUD NZD HKD INR PLN CZK HUF CNY BRL MXN".split(" ");
const ISO = ISO_CODES.join("|");
const SYMBOL = "US\\$|AU?\\$|CA?\\$|NZ\\$|HK\\$|€|\\$|£|₤|¥|₹";
const SP = "[ \\u00a0\\u202f\\u2009]";
/** 89 · 89.00 · 89,00 · 1,234.50 · 1 234,50 · 1.234,50 */
const NUMBER = `\\d{1,3}(?:[,.\\u00a0\\u202f\\u2009]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?`;
const MONEY = new RegExp(
  `(?<![\\p{L}\\p{N}.,])(?:(${SYMBOL}|(?:${ISO})${SP}?)(${NUMBER})|(${NUMBER})${SP}?(${SYMBOL}|(?:${ISO})(?![\\p{L}])))(?![\\p{N}]|[.,]\\d)`,
  "gu",
);

const PLAIN_NUMBER = /^\d+(?:[.,]\d{1,2})?$/;

/** A number as written in any of the common notations, as a plain decimal string ("1 234,50" → "1234.5"). */
function parseNumber(text: string): string {
  // Most amounts are written plainly ("89", "17.03", "17,03"): one decimal mark at most, read as JavaScript reads it.
  if (PLAIN_NUMBER.test(text)) return String(Number(text.replace(",", ".")));
  const digits = text.replace(/[\u00a0\u202f\u2009 ]/g, "");
  const decimal = /[.,](\d{1,2})$/.exec(digits);
  const whole = (decimal ? digits.slice(0, decimal.index) : digits).replace(/[.,]/g, "");
  const n = Number(`${whole}.${decimal?.[1] ?? "0"}`);
  return String(n);
}

function currencyOf(symbol: string): string {
  const s = symbol.trim();
  return SYMBOLS[s] ?? s;
}

/**
 * Numbers written as words (English, French), as amounts and percentages are written out: "ten euros", "thirty
 * percent", "vingt pour cent". A compound ("twenty-five") is read as its last word, so an override that writes
 * one where its base has the figure is refused, as one that changes the number.
 */
const AMOUNT_WORDS: Record<string, number> = Object.fromEntries([
  ..."zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
    .split(" ")
    .map((w, i) => [w, i] as const),
  ..."zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
    .split(" ")
    .map((w, i) => [w, i] as const),
  ["une", 1],
  ["vingt", 20],
  ...["thirty trente", "forty quarante", "fifty cinquante", "sixty soixante", "seventy", "eighty", "ninety"].flatMap((names, i) =>
    names.split(" ").map((w) => [w, (i + 3) * 10] as const),
  ),
  ["hundred", 100],
  ["cent", 100],
]);
const AMOUNT_WORD = Object.keys(AMOUNT_WORDS)
  .sort((a, b) => b.length - a.length)
  .join("|");

/**
 * Currencies named in words after an amount ("10 euros", "ten dollars", "5 quid"), and ISO codes in any case
 * ("10eur", "10 Eur"). Not "pound" or "livre" alone: they are a weight and a book as often as money.
 */
const CURRENCY_WORDS: Record<string, string> = {
  ...Object.fromEntries(ISO_CODES.map((c) => [c.toLowerCase(), c])),
  euro: "EUR",
  euros: "EUR",
  "pounds sterling": "GBP",
  "pound sterling": "GBP",
  "livres sterling": "GBP",
  "livre sterling": "GBP",
  sterling: "GBP",
  quid: "GBP",
  dollar: "USD",
  dollars: "USD",
  buck: "USD",
  bucks: "USD",
  yen: "JPY",
  yens: "JPY",
  franc: "CHF",
  francs: "CHF",
  rupee: "INR",
  rupees: "INR",
  roupie: "INR",
  roupies: "INR",
  yuan: "CNY",
  krona: "SEK",
  kronor: "SEK",
  krone: "NOK",
  kroner: "NOK",
  zloty: "PLN",
  zlotys: "PLN",
};
const CURRENCY_WORD = Object.keys(CURRENCY_WORDS)
  .sort((a, b) => b.length - a.length)
  .map((w) => w.replace(/ /g, SP))
  .join("|");
/** An amount then a currency in words or a code in any case; or a code in any case then an amount ("eur 10"). */
const MONEY_WORDS = new RegExp(
  `(?<![\\p{L}\\p{N}.,])(?:(${NUMBER}|${AMOUNT_WORD})(?:${SP}|-)?(${CURRENCY_WORD})|(${ISO})${SP}?(${NUMBER}))(?![\\p{L}\\p{N}]|[.,]\\d)`,
  "giu",
);
const MAYBE_MONEY_WORD = new RegExp(CURRENCY_WORD, "iu");

/** An amount in figures ("17,5") or in words ("twenty") as a plain decimal string. */
const amountOf = (text: string): string => {
  const word = AMOUNT_WORDS[text.toLowerCase()];
  return word === undefined ? parseNumber(text) : String(word);
};

// --- Percentages -----------------------------------------------------------------------------

const PERCENT = /(?<![\p{L}\p{N}.,])(\d+(?:[.,]\d+)?)[ \u00a0\u202f\u2009]?(?:%|per ?cent\b|pour ?cent\b)/giu;
/** A percentage in words: "thirty percent", "vingt pour cent". */
const PERCENT_WORDS = new RegExp(`(?<![\\p{L}\\p{N}])(${AMOUNT_WORD})[ \\u00a0-](?:per ?cent|pour ?cent)(?![\\p{L}])`, "giu");

// --- Offers ----------------------------------------------------------------------------------

/**
 * What a price says without a figure: free, half price, two for one. "Free of" and "free from" say "without"
 * ("free from PFAS"), and a word glued by a hyphen is an adjective ("PFAS-free"), not an offer.
 */
const OFFER =
  /(?<![\p{L}\p{N}-])(?:(free of charge|free(?![ \u00a0](?:of|from)\b)|gratis|gratuit(?:e|s|es)?|offert(?:e|s|es)?)|(half[ \u00a0-](?:price|off)|moiti[ée][ \u00a0]prix)|(buy one,? get one(?: free)?|bogo|two for one|2 for 1|deux pour (?:le prix d')?un))(?![\p{L}\p{N}-])/giu;
const OFFER_VALUES = ["free", "half-price", "two-for-one"] as const;
const MAYBE_OFFER = /fre|grat|offert|half|moiti|bogo|buy one|for (?:one|1)|pour/i;

// --- Dates -----------------------------------------------------------------------------------

const monthNames = new Map<string, Map<string, number>>();

/** A locale list as a key (`en`, `fr,en`): one string per list, not a join per line read. */
const localesKeys = new WeakMap<readonly string[], string>();
function localesKey(locales: readonly string[]): string {
  if (locales.length === 1) return locales[0]!;
  let key = localesKeys.get(locales);
  if (key === undefined) {
    key = locales.join(",");
    localesKeys.set(locales, key);
  }
  return key;
}

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\.$/, "");

/** Month names of the locales (long and short, with or without the abbreviation's dot, without accents), from Intl. */
function monthsOf(locales: readonly string[]): Map<string, number> {
  const key = localesKey(locales);
  let byName = monthNames.get(key);
  if (byName) return byName;
  byName = new Map<string, number>();
  for (const locale of new Set([...locales, "en"])) {
    for (const style of ["long", "short"] as const) {
      const f = new Intl.DateTimeFormat(locale, { month: style, timeZone: "UTC" });
      for (let m = 0; m < 12; m++) byName.set(fold(f.format(new Date(Date.UTC(2020, m, 1)))), m + 1);
    }
  }
  for (const [name, m] of [...byName]) if (name.length > 3) byName.set(name.slice(0, 3), m);
  monthNames.set(key, byName);
  return byName;
}

const pad = (n: number) => String(n).padStart(2, "0");

function dateValue(year: string | undefined, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return `${year ?? "-"}-${pad(month)}-${pad(day)}`;
}

/** A day then a word ("6 January 2027", "1er janvier", "6 janv."), a word then a day ("January 6, 2027"): the word must be a month. */
const DAY_FIRST =
  /(?<![\p{L}\p{N}])(\d{1,2})(?:er|st|nd|rd|th)?\.?[ \u00a0\u202f](\p{L}+)\.?(?:,?[ \u00a0\u202f](\d{4}))?(?![\p{L}\p{N}])/gu;
// Anchored on the day (digits are rare in text, letters are not): the month word is read behind it.
const MONTH_FIRST =
  /(?<=(?<![\p{L}\p{N}])(\p{L}{3,})\.?[ \u00a0\u202f])(\d{1,2})(?:st|nd|rd|th)?(?:,?[ \u00a0\u202f](\d{4}))?(?![\p{L}\p{N}])/gu;

const ISO_DATE = /(?<![\p{N}-])(\d{4})-(\d{2})-(\d{2})(?![\p{N}])/gu;
const NUMERIC_DATE = /(?<![\p{N}/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\p{N}])/gu;

/** Adds a date claim unless it overlaps one already read (`taken`: start and end offsets, in pairs). */
function pushDate(out: Claim[], taken: number[], index: number, raw: string, value: string | null): void {
  if (!value) return;
  const end = index + raw.length;
  for (let i = 0; i < taken.length; i += 2) if (index < taken[i + 1]! && end > taken[i]!) return;
  taken.push(index, end);
  out.push({ kind: "date", value, text: raw });
}

/**
 * Dates in the locales' words ("6 January 2027", "January 6, 2027", "6 janv.", "1er janvier"), ISO, or d/m/y,
 * added to `out`. The patterns are global and run with `exec` from index 0 (no per-call copies, as
 * `matchAll` makes); each is tried only when the text has what it needs (a hyphen, a space, a separator).
 */
function datesIn(text: string, locales: readonly string[], out: Claim[], digits: boolean): void {
  const taken: number[] = [];
  if (digits) datesInFigures(text, locales, out, taken);
  // A month alone ("until the end of January", "tout février") is a claim of its own: it is never the day a
  // date names, so an override that stretches "until 6 Jan" to "end of January" adds one.
  const months = monthPatternOf(locales);
  if (months.maybe.test(text)) {
    for (let m = execFrom0(months.pattern, text); m; m = months.pattern.exec(text)) {
      const month = months.byName.get(fold(m[0]));
      if (month && !within(taken, m.index)) out.push({ kind: "date", value: `--${pad(month)}`, text: m[0] });
    }
  }
}

const monthPatterns = new Map<string, { pattern: RegExp; maybe: RegExp; byName: Map<string, number> }>();

/**
 * The full month names of the locales (and English) as whole words: as Intl writes them (English capitalised,
 * French in lower case) or capitalised. Not English "May" (a verb as often as a month).
 */
function monthPatternOf(locales: readonly string[]) {
  const key = localesKey(locales);
  let found = monthPatterns.get(key);
  if (found) return found;
  const byName = new Map<string, number>();
  const names = new Set<string>();
  for (const locale of new Set([...locales, "en"])) {
    const f = new Intl.DateTimeFormat(locale, { month: "long", timeZone: "UTC" });
    for (let m = 0; m < 12; m++) {
      const name = f.format(new Date(Date.UTC(2020, m, 1)));
      if (name === "May" || name.length < 4) continue;
      byName.set(fold(name), m + 1);
      names.add(name);
      names.add(name[0]!.toUpperCase() + name.slice(1));
    }
  }
  const alternatives = [...names].sort((a, b) => b.length - a.length).join("|");
  found = {
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, "gu"),
    maybe: new RegExp(alternatives, "u"),
    byName,
  };
  monthPatterns.set(key, found);
  return found;
}

/** Dates written with a day (and perhaps a year), in words or figures; each recorded in `taken`. */
function datesInFigures(text: string, locales: readonly string[], out: Claim[], taken: number[]): void {
  if (text.includes("-")) {
    for (let m = execFrom0(ISO_DATE, text); m; m = ISO_DATE.exec(text))
      pushDate(out, taken, m.index, m[0], dateValue(m[1], Number(m[2]), Number(m[3])));
  }
  const dayFirst = DAY_BEFORE_WORD.test(text);
  const monthFirst = SPACE_BEFORE_DAY.test(text);
  if (dayFirst || monthFirst) {
    const byName = monthsOf(locales);
    if (dayFirst) {
      for (let m = execFrom0(DAY_FIRST, text); m; m = DAY_FIRST.exec(text)) {
        const month = byName.get(fold(m[2] ?? ""));
        if (month) pushDate(out, taken, m.index, m[0], dateValue(m[3], month, Number(m[1])));
      }
    }
    for (let m = monthFirst ? execFrom0(MONTH_FIRST, text) : null; m; m = MONTH_FIRST.exec(text)) {
      const word = m[1] ?? "";
      const month = byName.get(fold(word));
      if (!month) continue;
      const start = text.lastIndexOf(word, m.index);
      pushDate(out, taken, start, text.slice(start, m.index + m[0].length), dateValue(m[3], month, Number(m[2])));
    }
  }
  if (NUMERIC_DATE_SHAPE.test(text)) {
    for (let m = execFrom0(NUMERIC_DATE, text); m; m = NUMERIC_DATE.exec(text)) {
      // Day first (Europe) unless the first number cannot be a day of a month ordering it first.
      const a = Number(m[1]);
      const b = Number(m[2]);
      const usOrder = locales[0] === "en-US" || b > 12;
      pushDate(out, taken, m.index, m[0], usOrder ? dateValue(m[3], a, b) : dateValue(m[3], b, a));
    }
  }
}

/**
 * What each pattern needs, as cheap tests that rule it out first (most lines are prices and names). Each is
 * a part every match of its pattern contains: a day then a space then a letter (DAY_FIRST); a space then a
 * day (MONTH_FIRST, whose month word stands before it); d/m/y digits and separators (NUMERIC_DATE).
 */
const DAY_BEFORE_WORD = /\d(?:er|st|nd|rd|th)?\.?[ \u00a0\u202f]\p{L}/u;
const SPACE_BEFORE_DAY = /[ \u00a0\u202f]\d/;
const NUMERIC_DATE_SHAPE = /\d[/.]\d\d?[/.]\d{4}/;

// --- Availability ----------------------------------------------------------------------------

const availabilityPhrases = new Map<string, { pattern: RegExp; byText: Map<string, Availability> }>();

/**
 * Other ways of saying an availability, in every locale's text (a French word on an English channel says the
 * same): an override that says "Sold out" or "Available now" makes the claim the system's own words make.
 */
const AVAILABILITY_SYNONYMS: Record<Availability, readonly string[]> = {
  in_stock: [
    "available now",
    "now available",
    "in stock now",
    "back in stock",
    "ready to ship",
    "ships today",
    "disponible immédiatement",
    "de retour en stock",
  ],
  low_stock: ["almost gone", "selling fast", "last few", "few left", "limited stock", "low stock", "dernières pièces", "stock limité"],
  preorder: ["pre-order", "preorder", "pre order", "coming soon", "précommande", "bientôt disponible"],
  out_of_stock: [
    "sold out",
    "sold-out",
    "unavailable",
    "not available",
    "no longer available",
    "not in stock",
    "épuisé",
    "épuisée",
    "épuisés",
    "épuisées",
    "rupture de stock",
    "indisponible",
    "plus disponible",
  ],
};

function phrasesOf(locales: readonly string[]) {
  const key = localesKey(locales);
  let found = availabilityPhrases.get(key);
  if (found) return found;
  const byText = new Map<string, Availability>();
  for (const a of AVAILABILITIES) for (const phrase of AVAILABILITY_SYNONYMS[a]) byText.set(phrase, a);
  for (const locale of new Set([...locales, "en"])) {
    for (const a of AVAILABILITIES) byText.set(wording(locale).availability[a].toLowerCase(), a);
  }
  const alternatives = [...byText.keys()]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/[ -]/g, "[ \\u00a0-]"));
  found = { pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "giu"), byText };
  availabilityPhrases.set(key, found);
  return found;
}

// --- Codes -----------------------------------------------------------------------------------

/** A code-shaped word: capitals and digits, with at least one of each (WINTER20, K7QM3XZT). */
const CODE_SHAPED = /(?<![\p{L}\p{N}-])[A-Z0-9]{4,}(?![\p{L}\p{N}-])/gu;
const HAS_LETTER_AND_DIGIT = /^(?=.*[A-Z])(?=.*\d)/;
/** What every code-shaped word contains. */
const FOUR_CODE_CHARACTERS = /[A-Z0-9]{4}/;
/** A word written after "code" (any case): `code SALE`, `Code : WINTER20`, `promo code SPRING`. */
const AFTER_CODE = /(?<![\p{L}])(?:code|coupon)[ \u00a0]?:?[ \u00a0]([A-Za-z0-9][A-Za-z0-9_-]{2,})/giu;

/** Cheap tests that rule a kind of claim out before its full pattern runs. */
/** Before a glued code, or after its number: what joins the parts of an identifier. */
const GLUE = /[-_/]/;
const IDENTIFIER_TAIL = /^(?:[-_/][\p{L}\p{N}]|\p{L})/u;
const MAYBE_MONEY = new RegExp(`${SYMBOL}|${ISO}|CHF|kr`);
const MAYBE_PERCENT = /%|cent/i;
const MAYBE_LINK = /:\/\/|www\.|\.[a-z]{2,}(?::\d+)?\//i;

// --- All of them -----------------------------------------------------------------------------

/**
 * Every claim a text makes, read in the given locales' words (the view's locale first).
 *
 * @example
 * claimsIn("Today only €19.00! 30% off until 16 January 2027", ["en"]).map(claimKey)
 * // ["money:EUR 19", "percent:30", "date:2027-01-16"]
 */
export function claimsIn(written: string, locales: readonly string[]): Claim[] {
  const text = asRead(written);
  const out: Claim[] = [];
  // Offsets of the amounts read (start, end, in pairs): a code-shaped word inside one is no code.
  const amounts: number[] = [];
  const digits = DIGIT.test(text);
  if (digits && MAYBE_MONEY.test(text)) {
    for (let m = execFrom0(MONEY, text); m; m = MONEY.exec(text)) {
      const symbol = m[1] ?? m[4] ?? "";
      const amount = m[2] ?? m[3] ?? "";
      // An ISO code glued to digits inside an identifier ("GBP7-0", "X-EUR20": a SKU) is not an amount.
      if (
        m[1]?.length === 3 &&
        (GLUE.test(text[m.index - 1] ?? "") || IDENTIFIER_TAIL.test(text.slice(MONEY.lastIndex, MONEY.lastIndex + 2)))
      )
        continue;
      amounts.push(m.index, m.index + m[0].length);
      out.push({ kind: "money", value: `${currencyOf(symbol)} ${parseNumber(amount)}`, text: m[0] });
    }
  }
  if (MAYBE_MONEY_WORD.test(text)) {
    for (let m = execFrom0(MONEY_WORDS, text); m; m = MONEY_WORDS.exec(text)) {
      if (within(amounts, m.index)) continue;
      const amount = m[1] ?? m[4] ?? "";
      const currency = m[1] ? CURRENCY_WORDS[(m[2] ?? "").toLowerCase().replace(/[\u00a0\u202f\u2009]/g, " ")] : m[3]?.toUpperCase();
      // A code before its amount in capitals is MONEY's to read (it has passed on it: an identifier); in another case
      // it is no amount inside an identifier either ("x-eur20", "gbp7-0").
      if (
        m[3] &&
        (m[3] === m[3].toUpperCase() ||
          GLUE.test(text[m.index - 1] ?? "") ||
          IDENTIFIER_TAIL.test(text.slice(MONEY_WORDS.lastIndex, MONEY_WORDS.lastIndex + 2)))
      )
        continue;
      amounts.push(m.index, m.index + m[0].length);
      out.push({ kind: "money", value: `${currency} ${amountOf(amount)}`, text: m[0] });
    }
  }
  if (MAYBE_PERCENT.test(text)) {
    if (digits)
      for (let m = execFrom0(PERCENT, text); m; m = PERCENT.exec(text))
        out.push({ kind: "percent", value: parseNumber(m[1] ?? ""), text: m[0] });
    for (let m = execFrom0(PERCENT_WORDS, text); m; m = PERCENT_WORDS.exec(text))
      out.push({ kind: "percent", value: amountOf(m[1] ?? ""), text: m[0] });
  }
  if (MAYBE_OFFER.test(text)) {
    for (let m = execFrom0(OFFER, text); m; m = OFFER.exec(text))
      out.push({ kind: "offer", value: OFFER_VALUES[m[1] ? 0 : m[2] ? 1 : 2], text: m[0] });
  }
  datesIn(text, locales, out, digits);
  const phrases = phrasesOf(locales);
  for (let m = execFrom0(phrases.pattern, text); m; m = phrases.pattern.exec(text)) {
    const availability =
      phrases.byText.get(m[0].toLowerCase().replace(/\u00a0/g, " ")) ?? phrases.byText.get(m[0].toLowerCase().replace(/[\u00a0-]/g, " "));
    if (availability) out.push({ kind: "availability", value: availability, text: m[0] });
  }
  // A code-shaped word has a capital and a digit: a text without digits has none.
  if (digits && FOUR_CODE_CHARACTERS.test(text)) {
    for (let m = execFrom0(CODE_SHAPED, text); m; m = CODE_SHAPED.exec(text))
      if (HAS_LETTER_AND_DIGIT.test(m[0]) && !within(amounts, m.index)) out.push({ kind: "code", value: m[0], text: m[0] });
  }
  for (let m = execFrom0(AFTER_CODE, text); m; m = AFTER_CODE.exec(text)) {
    const code = m[1] ?? "";
    if (/[A-Z0-9]/.test(code)) out.push({ kind: "code", value: code, text: m[0] });
  }
  if (MAYBE_LINK.test(text)) for (const link of linksIn(text)) out.push({ kind: "link", value: link, text: link });
  return out;
}

const DIGIT = /\d/;

/**
 * Characters that read as ASCII ones: full-width forms ("€１０", "ＥＵＲ"), super- and subscript, circled and
 * mathematical digits. Each is replaced by its compatibility form (NFKC) alone: normalising the whole text would
 * also turn the no-break spaces that group thousands ("1 234,50 €") into spaces.
 */
const COMPATIBLE = /[\u00b2\u00b3\u00b9\u2070-\u209f\u2460-\u24ff\u2776-\u2793\u3000\uff01-\uff5e\u{1d7ce}-\u{1d7ff}]/gu;
/** Decimal digits of other scripts ("٣", "३"): read as the digit they are. */
const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
const ND = /\p{Nd}/u;

/** A digit's value: Unicode encodes every script's digits as a run of ten from its zero, runs following runs. */
function digitValue(digit: string): string {
  const code = digit.codePointAt(0)!;
  let before = 0;
  while (before < 100 && ND.test(String.fromCodePoint(code - before - 1))) before++;
  return String(before % 10);
}

/** A text as a reader reads its figures and letters: compatibility forms and other scripts' digits as ASCII. */
function asRead(text: string): string {
  COMPATIBLE.lastIndex = 0;
  let read = COMPATIBLE.test(text) ? text.replace(COMPATIBLE, (c) => c.normalize("NFKC")) : text;
  OTHER_DIGIT.lastIndex = 0;
  if (OTHER_DIGIT.test(read)) read = read.replace(OTHER_DIGIT, digitValue);
  return read;
}

/** The first match of a global pattern from the start of `text` (then `pattern.exec(text)` for the next ones). */
function execFrom0(pattern: RegExp, text: string): RegExpExecArray | null {
  pattern.lastIndex = 0;
  return pattern.exec(text);
}

/** Whether `at` falls in one of the ranges (start, end, in pairs). */
function within(ranges: readonly number[], at: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (at >= ranges[i]! && at < ranges[i + 1]!) return true;
  return false;
}

/**
 * The claims of each line already read, per locale list, in a bounded memo (memo.ts: two generations, keys
 * copied flat so no line keeps its page alive). Rendered outputs repeat most of their lines: the same
 * description on web, mobile, chat and agent, the same navigation on every page.
 */
const lineClaims = new Map<string, BoundedMemo<readonly Claim[]>>();
const LINES_PER_GENERATION = 4096;
const NO_CLAIMS: readonly Claim[] = [];

function lineCache(locales: readonly string[]): BoundedMemo<readonly Claim[]> {
  const key = localesKey(locales);
  let cache = lineClaims.get(key);
  if (!cache) {
    cache = new BoundedMemo(LINES_PER_GENERATION);
    lineClaims.set(key, cache);
  }
  return cache;
}

/**
 * A separator the channels put between the parts of a line ("S · €17.03 · In stock", "Tent - €89.00 - In
 * stock", "M — €22.03 — In stock", "S €17.03  In stock"): a space, one of `· — – - |`, a space; or a run of
 * two or more spaces. No claim runs across one — no pattern matches a space next to these characters, only
 * "code  X" spans two spaces (hence the look-behind), and each pattern's edges accept a space as they accept
 * the end of a text — so a line's claims are its parts' claims, part after part
 * (test/consistency/claims-lines.test.ts). Reading by parts is what makes the parts memo hits: a price, an
 * availability and a title are the same parts in every channel's layout of them.
 */
const SEPARATOR = / [\u00b7\u2014\u2013|-] |(?<!code|coupon) {2,}/i;

/** The claims of one line, from the memo or read (from a copy: the claims' texts are slices of what they were read from). */
function claimsOfLine(cache: BoundedMemo<readonly Claim[]>, line: string, locales: readonly string[]): readonly Claim[] {
  let found = cache.get(line);
  if (!found) {
    let claims: Claim[];
    if (SEPARATOR.test(line)) {
      claims = [];
      for (const part of line.split(SEPARATOR)) for (const c of claimsOfLine(cache, part, locales)) claims.push(c);
    } else {
      claims = claimsIn(detached(line), locales);
    }
    found = claims.length ? claims : NO_CLAIMS;
    cache.set(line, found);
  }
  return found;
}

/**
 * `claimsIn`, line by line, each line read once per locale list. Claims never span a line break (no
 * pattern crosses one), so the result is `claimsIn(text, locales)`'s, in line order.
 */
export function claimsByLine(text: string, locales: readonly string[]): readonly Claim[] {
  return claimsByLineCut(text, locales, []).claims;
}

/** `text` with each of `cuts` (in order) replaced by a space wherever it occurs. */
export function cutOut(text: string, cuts: readonly string[]): string {
  let out = text;
  for (const c of cuts) if (out.includes(c)) out = out.split(c).join(" ");
  return out;
}

/**
 * The claims of `text` (`claimsByLine`) and those of `cutOut(text, cuts)`, in one pass over the lines:
 * a line none of the cuts occurs in is read once for both, and only lines a cut was made in are read again.
 *
 * @example
 * claimsByLineCut("Add to cart\n€89.00", ["en"], ["Add to cart"]) // the claims of "€89.00" both times
 */
export function claimsByLineCut(
  text: string,
  locales: readonly string[],
  cuts: readonly string[],
): { readonly claims: readonly Claim[]; readonly cut: readonly Claim[] } {
  // The same text read twice in a row (four of the five chat formats show a view in the same words): the same answer.
  const key = localesKey(locales);
  if (last && last.text === text && last.locales === key && last.cuts === cuts) return last.read;
  const read = readByLine(text, locales, cuts);
  last = { text, locales: key, cuts, read };
  return read;
}

let last: { text: string; locales: string; cuts: readonly string[]; read: { claims: readonly Claim[]; cut: readonly Claim[] } } | undefined;

function readByLine(
  text: string,
  locales: readonly string[],
  cuts: readonly string[],
): { claims: readonly Claim[]; cut: readonly Claim[] } {
  const cache = lineCache(locales);
  const present: string[] = [];
  for (const c of cuts) {
    if (c.includes("\n")) {
      // A cut across lines: read the cut text on its own (no label spans lines in practice).
      return { claims: claimsByLine(text, locales), cut: claimsByLine(cutOut(text, cuts), locales) };
    }
    if (text.includes(c)) present.push(c);
  }
  const claims: Claim[] = [];
  const cut: Claim[] | null = present.length ? [] : null;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end > start) {
      const line = text.slice(start, end);
      const found = claimsOfLine(cache, line, locales);
      for (const c of found) claims.push(c);
      if (cut) {
        const rest = cutOut(line, present);
        for (const c of rest === line ? found : claimsOfLine(cache, rest, locales)) cut.push(c);
      }
    }
    start = end + 1;
  }
  return { claims, cut: cut ?? claims };
}

/** The distinct claim keys of some texts. */
export function claimKeys(texts: readonly string[], locales: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const text of texts) if (text) for (const c of claimsByLine(text, locales)) keys.add(claimKey(c));
  return keys;
}

/**
 * Whether an extracted claim is among the canonical ones. A date written without a year ("until 6 Jan")
 * claims a canonical date with that day and month.
 */
export function supported(claim: Pick<Claim, "kind" | "value">, canonical: ReadonlySet<string>): boolean {
  if (canonical.has(claimKey(claim))) return true;
  if (claim.kind === "date") {
    // The same day: "until 6 Jan" and "until 6 January 2027" of a message ending 2027-01-06.
    const dayMonth = claim.value.slice(-6);
    if (claim.value.startsWith("--")) {
      for (const key of canonical) if (key.startsWith("date:") && key.endsWith(dayMonth)) return true;
    } else if (canonical.has(`date:-${dayMonth}`)) {
      // A year is supported by a yearless canonical date only while the canonical content states no year
      // for that day: "6 Jan" beside "2027-01-06" does not make "6 Jan 5027" true.
      for (const key of canonical) if (key.startsWith("date:") && !key.startsWith("date:--") && key.endsWith(dayMonth)) return false;
      return true;
    }
  }
  return false;
}

/** What `said` claims that `meant` does not (added), and what `meant` claims that `said` leaves out (dropped). */
export function claimDifference(said: ReadonlySet<string>, meant: ReadonlySet<string>): { added: string[]; dropped: string[] } {
  const parse = (key: string) => {
    const at = key.indexOf(":");
    return { kind: key.slice(0, at) as ClaimKind, value: key.slice(at + 1) };
  };
  return {
    added: [...said].filter((k) => !supported(parse(k), meant)),
    dropped: [...meant].filter((k) => !supported(parse(k), said)),
  };
}

// --- Names -----------------------------------------------------------------------------------

const STOP_WORDS = new Set(
  "a an the and or of for with in on to by de du des d la le les l en et à au aux pour avec un une sur".split(" "),
);

/** Number words from one to ten ({@link AMOUNT_WORDS}): in a name, "2" names what "two" or "deux" does. */
const NUMBER_WORDS: Record<string, string> = Object.fromEntries(
  Object.entries(AMOUNT_WORDS)
    .filter(([, n]) => n >= 1 && n <= 10)
    .map(([w, n]) => [w, String(n)]),
);

/** The words of a title that name the product: folded to lower case without accents, stop words removed. */
export function nameWords(title: string): string[] {
  return fold(title)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && !STOP_WORDS.has(w));
}

/** A name's words with every number word as its numeral ("four" and "4" are one word). */
const asNumerals = (words: readonly string[]) => words.map((w) => NUMBER_WORDS[w] ?? w);
const NUMERAL = /^\d+$/;

/**
 * Symbols, format characters and combining marks: drawn on a title or label they change what it says ("🆓",
 * "❌", a strike-through "M̶e̶r̶i̶n̶o̶", a right-to-left override) while its words stay the same.
 */
const MARKS_AND_SYMBOLS = /[\p{So}\p{Cf}\p{M}]/gu;
const marksOf = (text: string) => new Set(text.normalize("NFD").match(MARKS_AND_SYMBOLS) ?? []);

/**
 * Whether a title (or label) override names the same product (or action) as its base text (content/README.md,
 * "Overrides"): every word of it is a word of the base, or the beginning (3 letters or more) of one ("Merino crew"
 * for "Merino crew sweater"); it keeps at least half of the base's words, every number of it ("Stoneware bowls"
 * is not "Stoneware bowls (set of 4)"; a numeral may stand for a number word) and draws no symbol or mark the base
 * does not. "Merino" alone could be any merino product of the shop.
 */
export function namesSameEntity(override: string, base: string): boolean {
  const words = asNumerals(nameWords(override));
  const baseWords = asNumerals(nameWords(base));
  if (!words.length) return false;
  const matches = (w: string, b: string) => b === w || (w.length >= 3 && !NUMERAL.test(w) && b.startsWith(w));
  if (!words.every((w) => baseWords.some((b) => matches(w, b)))) return false;
  if (!baseWords.every((b) => !NUMERAL.test(b) || words.includes(b))) return false;
  const kept = baseWords.filter((b) => words.some((w) => matches(w, b))).length;
  if (kept * 2 < baseWords.length) return false;
  const baseMarks = marksOf(base);
  for (const mark of marksOf(override)) if (!baseMarks.has(mark)) return false;
  return true;
}

// --- Invisible text --------------------------------------------------------------------------

/** Characters that draw nothing: zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi marks, variation selectors. */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]|\u034f|\ufe00|\ufe01|\ufe02|\ufe03|\ufe04|\ufe05|\ufe06|\ufe07|\ufe08|\ufe09|\ufe0a|\ufe0b|\ufe0c|\ufe0d|\ufe0e|\ufe0f/gu;

const PLAIN_ASCII_TEXT = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/** What a label shows once invisible characters and spaces are removed: empty means no visible name. */
export function visibleText(text: string): string {
  // Printable ASCII words with single spaces between them (most labels) are already what this returns.
  if (PLAIN_ASCII_TEXT.test(text)) return text;
  return text.replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();
}
