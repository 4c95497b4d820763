/**
 * SMS text the way carriers and Twilio count it (CHANNELS.md, SMS): GSM-7 when
 * every character is in the GSM 03.38 alphabet (extension characters count 2;
 * 160 per single segment, 153 per segment when split), otherwise UCS-2 (70, or
 * 67 per segment). Segment counting and Smart Encoding (typographic characters
 * transliterated so a message stays GSM-7) come from Twilio's own calculator,
 * `sms-segments-calculator` (pure JS, runtime-neutral): our counts are Twilio's.
 */
import { SegmentedMessage } from "sms-segments-calculator";
import SmartEncodingMap from "sms-segments-calculator/dist/libs/SmartEncodingMap";

/** The segment budget of one SMS we send (policy; Twilio recommends ≤ 320 characters). */
export const SMS_SEGMENT_BUDGET = 3;

export interface SmsInfo {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  /** Code units as billed: GSM-7 septets (extension characters 2), or UTF-16 units in UCS-2 (an emoji is 2). */
  units: number;
}

export function smsInfo(text: string): SmsInfo {
  const message = new SegmentedMessage(text);
  const gsm = message.encodingName === "GSM-7";
  // The calculator's numberOfCharacters counts GSM-7 septets, but graphemes in UCS-2; billing counts UTF-16 units there.
  return { encoding: gsm ? "GSM-7" : "UCS-2", segments: message.segmentsCount, units: gsm ? message.numberOfCharacters : text.length };
}

const smartMap = SmartEncodingMap as unknown as Record<string, string>;

/** Twilio's Smart Encoding: curly quotes, dashes, ellipses, non-breaking and narrow spaces … become GSM-7 characters. */
export function smartEncode(text: string): string {
  let out = "";
  for (const char of text) out += smartMap[char] ?? char;
  return out;
}

const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

function graphemes(text: string): string[] {
  return segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
}

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
