/**
 * SMS text the way carriers and Twilio count it (docs/channels.md, "SMS"): GSM-7 when
 * every character is in the GSM 03.38 alphabet (extension characters count 2;
 * 160 per single segment, 153 per segment when split), otherwise UCS-2 (70, or
 * 67 per segment). Segment counting and Smart Encoding (typographic characters
 * transliterated so a message stays GSM-7) come from Twilio's own calculator,
 * `sms-segments-calculator` (pure JS, runtime-neutral): our counts are Twilio's.
 */
import { SegmentedMessage } from "sms-segments-calculator";
import SmartEncodingMap from "sms-segments-calculator/dist/libs/SmartEncodingMap";
import UnicodeToGSM from "sms-segments-calculator/dist/libs/UnicodeToGSM";
import { graphemes } from "./contract";

/** The segment budget of one SMS we send (policy; Twilio recommends ≤ 320 characters). */
export const SMS_SEGMENT_BUDGET = 3;

export interface SmsInfo {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  /** Code units as billed: GSM-7 septets (extension characters 2), or UTF-16 units in UCS-2 (an emoji is 2). */
  units: number;
}

/**
 * The calculator ships CommonJS with `exports.default`: bundlers and vitest
 * unwrap it, Node's own ESM loader (tsx, `npm start`) does not.
 */
function cjsDefault<T>(module: unknown): T {
  const m = module as { default?: unknown; __esModule?: boolean };
  return (m && typeof m === "object" && "default" in m && m.default && typeof m.default === "object" ? m.default : m) as T;
}

/** GSM 03.38 as Twilio's calculator maps it: UTF-16 code unit → its septets (extension characters are two). */
const GSM = cjsDefault<Record<number, readonly number[] | undefined>>(UnicodeToGSM);

/** The same map as a table: septets per UTF-16 code unit, 0 for a unit GSM-7 lacks (no entry maps to zero septets). */
const SEPTETS = new Uint8Array(0x10000);
for (const [unit, septets] of Object.entries(GSM)) if (septets?.length) SEPTETS[Number(unit)] = septets.length;

/** Bits per segment (140 octets), and what is left when a concatenation header (6 octets) is needed. */
const SEGMENT_BITS = 1120;
const SPLIT_SEGMENT_BITS = 1120 - 48;

/**
 * Greedy segmentation exactly as Twilio's calculator does it: units never
 * straddle two segments (an extension character's escape pair, a grapheme).
 */
function segmentsOf(sizes: readonly number[], total: number): number {
  if (total <= SEGMENT_BITS) return 1;
  let segments = 1;
  let free = SPLIT_SEGMENT_BITS;
  for (const size of sizes) {
    if (size > free) {
      segments++;
      free = SPLIT_SEGMENT_BITS;
    }
    free -= size;
  }
  return segments;
}

/**
 * Encoding, segments and billed units of a text, as Twilio counts them. A
 * direct count (microseconds) for GSM-7 and for UCS-2 without emoji
 * sequences; Twilio's calculator itself for the rest, so the answer is always
 * the calculator's (a test compares the two on generated texts).
 *
 * @example
 * smsInfo("€".repeat(81)) // { encoding: "GSM-7", segments: 2, units: 162 }
 */
export function smsInfo(text: string): SmsInfo {
  // Rendering asks about the same text several times (budget checks, fitting, inspection): remember the last answer.
  if (text === lastInfo[0]) return lastInfo[1];
  const info = countSms(text);
  lastInfo = [text, info];
  return info;
}

let lastInfo: [string, SmsInfo] = ["", { encoding: "GSM-7", segments: 1, units: 0 }];

/**
 * Blocks whose characters never join a neighbour into one cluster (Latin, Greek, Cyrillic letters, punctuation,
 * symbols, kana, CJK ideographs, full-width forms): combining marks, joiners, variation selectors, surrogates
 * and the scripts that cluster (Hebrew to Mongolian, Hangul …) are left to the calculator.
 */
const ONE_UNIT_CLUSTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are clusters of their own.
  /^[\u0000-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1fff\u2000-\u200b\u200e-\u20cf\u2100-\u2bff\u3000-\u3029\u3030-\u3098\u309b-\u30ff\u4e00-\u9fff\uff01-\uff9d]*$/;

function countSms(text: string): SmsInfo {
  let septets = 0;
  let gsm = true;
  for (let i = 0; i < text.length; i++) {
    const units = SEPTETS[text.charCodeAt(i)] as number;
    if (!units) {
      gsm = false;
      break;
    }
    septets += units;
  }
  if (gsm) {
    if (septets <= 160) return { encoding: "GSM-7", segments: 1, units: septets };
    const sizes: number[] = [];
    for (let i = 0; i < text.length; i++) sizes.push(7 * (SEPTETS[text.charCodeAt(i)] as number));
    return { encoding: "GSM-7", segments: segmentsOf(sizes, septets * 7), units: septets };
  }
  if (text.length <= 70) return { encoding: "UCS-2", segments: 1, units: text.length };
  // Every character its own cluster of one unit (no combining mark, joiner, surrogate, Hangul jamo or
  // CR LF): the calculator's greedy split is then 67 units a segment.
  if (ONE_UNIT_CLUSTERS.test(text) && !text.includes("\r\n")) {
    return { encoding: "UCS-2", segments: Math.ceil(text.length / 67), units: text.length };
  }
  // Twilio's calculator itself: how it clusters characters (a Devanagari syllable, an emoji sequence)
  // is what a carrier bills, and it differs from Intl's grapheme clusters.
  return { encoding: "UCS-2", segments: new SegmentedMessage(text).segmentsCount, units: text.length };
}

/**
 * The calculator's map turns every Unicode space (U+00A0 in French prices, U+2009 …) into two ASCII
 * spaces; Twilio's published Smart Encoding list transliterates them to "a space". One space it is:
 * "89,00 €", not "89,00  €". What the table removes (U+200B, U+200C, U+2060, U+FEFF …) stays removed.
 */
const smartMap = Object.fromEntries(
  Object.entries(cjsDefault<Record<string, string>>(SmartEncodingMap)).map(([from, to]) => [
    from,
    to !== "" && to.trim() === "" ? " " : to,
  ]),
);

/**
 * Every key of the map in one character class. Each key is a single UTF-16 unit outside the surrogate
 * range (checked below), so replacing matches of the class is the same as mapping code point by code
 * point — and text with nothing to replace (most of it) is scanned natively and returned as it is.
 */
const SMART = new RegExp(
  `[${Object.keys(smartMap)
    .map((from) => {
      const code = from.charCodeAt(0);
      if (from.length !== 1 || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`Smart Encoding key ${from} is not one unit.`);
      return `\\u${code.toString(16).padStart(4, "0")}`;
    })
    .join("")}]`,
  "g",
);

// No replacement holds a key, so encoding twice is encoding once (fitSms re-encodes what the renderer encoded).
for (const to of Object.values(smartMap)) if (new RegExp(SMART.source).test(to)) throw new Error(`Smart Encoding maps to a key: ${to}`);

/** Twilio's Smart Encoding: curly quotes, dashes, ellipses, non-breaking and narrow spaces … become GSM-7 characters. */
export function smartEncode(text: string): string {
  // The same text comes twice in a row (rendered, then fitted), and encoding an encoded text changes nothing.
  if (text === lastEncoded[0] || text === lastEncoded[1]) return lastEncoded[1];
  const encoded = text.replace(SMART, (char) => smartMap[char] as string);
  lastEncoded = [text, encoded];
  return encoded;
}

let lastEncoded: [string, string] = ["", ""];

/**
 * Smart-encodes `text` and, if it still needs more than `maxSegments`, cuts it on a
 * grapheme boundary and ends it with "..." (GSM-7 has no "…"), deterministically.
 *
 * @example
 * fitSms("Prix : 89,00\u00a0€ — en stock", 3) // { text: "Prix : 89,00 € - en stock", truncated: false, … }
 */
export function fitSms(text: string, maxSegments: number): SmsInfo & { text: string; truncated: boolean } {
  const encoded = smartEncode(text);
  const info = smsInfo(encoded);
  if (info.segments <= maxSegments) return { ...info, text: encoded, truncated: false };
  const parts = graphemes(encoded);
  // Binary search for the longest prefix that fits with the marker.
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (smsInfo(`${parts.slice(0, mid).join("").trimEnd()}...`).segments <= maxSegments) lo = mid;
    else hi = mid - 1;
  }
  const cut = `${parts.slice(0, lo).join("").trimEnd()}...`;
  return { ...smsInfo(cut), text: cut, truncated: true };
}
