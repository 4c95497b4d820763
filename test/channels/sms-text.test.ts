import { SegmentedMessage } from "sms-segments-calculator";
import SmartEncodingMap from "sms-segments-calculator/dist/libs/SmartEncodingMap";
import { describe, expect, it } from "vitest";
import { fitSms, smartEncode, smsInfo } from "../../src/channels/sms-text";

describe("SMS encoding and segments (GSM 03.38 / UCS-2, as Twilio counts)", () => {
  it("GSM-7: 160 characters fit one segment, 161 need two (153 each), 307 need three", () => {
    expect(smsInfo("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsInfo("a".repeat(161)).segments).toBe(2);
    expect(smsInfo("a".repeat(306)).segments).toBe(2);
    expect(smsInfo("a".repeat(307)).segments).toBe(3);
  });

  it("extension characters (€ [ ] { } ^ ~ \\ |) count two", () => {
    expect(smsInfo("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsInfo("€".repeat(81)).segments).toBe(2);
    expect(smsInfo("{}[]~^\\|").units).toBe(16);
  });

  it("one character outside GSM-7 switches the whole message to UCS-2: 70 per segment, 67 when split; emoji count two", () => {
    expect(smsInfo("ç").encoding).toBe("UCS-2");
    expect(smsInfo(`ç${"a".repeat(69)}`).segments).toBe(1);
    expect(smsInfo(`ç${"a".repeat(70)}`).segments).toBe(2);
    expect(smsInfo("😀")).toEqual({ encoding: "UCS-2", segments: 1, units: 2 });
    expect(smsInfo("😀".repeat(35)).segments).toBe(1);
    expect(smsInfo("😀".repeat(36)).segments).toBe(2);
    expect(smsInfo("é à è ù ü ñ É Ç ß").encoding).toBe("GSM-7");
  });

  it("Smart Encoding turns typographic characters into GSM-7 ones, so French prices and quotes stay GSM-7", () => {
    expect(smartEncode("“quoted” ‘single’ — dash – en… ")).toBe("\"quoted\" 'single' - dash - en... ");
    const price = new Intl.NumberFormat("fr", { style: "currency", currency: "EUR" }).format(89);
    expect(smsInfo(price).encoding).toBe("UCS-2");
    expect(smsInfo(smartEncode(price)).encoding).toBe("GSM-7");
    expect(smartEncode(price)).toBe("89,00 €");
  });

  it("fitSms keeps a message within its segment budget, cutting on a grapheme boundary with '...'", () => {
    const short = fitSms("Reply CART to see your cart.", 3);
    expect(short).toMatchObject({ text: "Reply CART to see your cart.", truncated: false, segments: 1 });
    const long = fitSms(`${"word ".repeat(200)}end`, 3);
    expect(long.truncated).toBe(true);
    expect(long.segments).toBe(3);
    expect(long.text.endsWith("...")).toBe(true);
    expect(long.text.length).toBeGreaterThan(3 * 153 - 10);
    expect(fitSms(`${"word ".repeat(200)}end`, 3).text).toBe(long.text);
    const family = "👨‍👩‍👧";
    const emoji = fitSms(family.repeat(100), 2);
    expect(emoji.segments).toBeLessThanOrEqual(2);
    const body = emoji.text.slice(0, -3);
    expect(body.length % family.length).toBe(0);
    expect(body).toBe(family.repeat(body.length / family.length));
  });
});

describe("the direct SMS count agrees with Twilio's calculator", () => {
  it("on 3,000 generated texts mixing GSM-7, extension characters, accents, CR LF and emoji, at every segment boundary", () => {
    const pieces = [
      "a",
      "Z",
      "7",
      " ",
      "\n",
      "\r\n",
      "€",
      "{",
      "^",
      "é",
      "ç",
      "â",
      "ß",
      "Ω",
      "—",
      "’",
      "😀",
      "👍🏽",
      "👨‍👩‍👧",
      "🇫🇷",
      "\u00a0",
      "漢",
      "ê",
      "Ж",
      "e\u0301",
      "\u2764\ufe0f",
      "ｶﾞ",
      "\r",
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(random() * 480);
      const alphabet = pieces.slice(0, 5 + Math.floor(random() * pieces.length));
      let text = "";
      while (text.length < length) text += random() < 0.85 ? "a" : alphabet[Math.floor(random() * alphabet.length)];
      const oracle = new SegmentedMessage(text);
      const ours = smsInfo(text);
      expect([ours.encoding, ours.segments], JSON.stringify(text)).toEqual([oracle.encodingName, oracle.segmentsCount]);
    }
  });

  it("on 1,000 UCS-2 texts drawn from every block counted directly (Latin, Greek, Cyrillic, punctuation, symbols, kana, CJK, full-width), some with characters that join a cluster", () => {
    const blocks = [
      [0x00a0, 0x02ff],
      [0x0370, 0x0482],
      [0x048a, 0x052f],
      [0x1e00, 0x1fff],
      [0x2000, 0x200b],
      [0x200e, 0x20cf],
      [0x2100, 0x2bff],
      [0x3000, 0x3029],
      [0x3030, 0x3098],
      [0x309b, 0x30ff],
      [0x4e00, 0x9fff],
      [0xff01, 0xff9d],
    ] as const;
    // Each joins its neighbour into one cluster of two units or more: such texts are the calculator's to count.
    const joining = [
      "e\u0301",
      "\u0436\u0483",
      "\u05d0\u05b0",
      "\u0915\u093f",
      "a\u200db",
      "\u20ac\u20d0",
      "\u3042\u3099",
      "\u2764\ufe0f",
      "\uff76\uff9e",
      "\u1100\u1161",
      "\r\n",
      "👍🏽",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 1000; n++) {
      const length = 60 + Math.floor(random() * 300);
      let text = "";
      while (text.length < length) {
        const [from, to] = blocks[Math.floor(random() * blocks.length)]!;
        const r = random();
        text +=
          r < 0.67
            ? "a"
            : r < 0.99
              ? String.fromCharCode(from + Math.floor(random() * (to - from + 1)))
              : joining[Math.floor(random() * joining.length)]!;
      }
      const oracle = new SegmentedMessage(text);
      const ours = smsInfo(text);
      expect([ours.encoding, ours.segments], JSON.stringify(text)).toEqual([oracle.encodingName, oracle.segmentsCount]);
    }
    // A joined cluster astride a segment boundary moves whole to the next segment: with the text filling
    // the next segment to the last unit, that makes one segment more than its units would.
    for (const cluster of joining) {
      for (let boundary = 67; boundary <= 4 * 67; boundary += 67) {
        for (let at = boundary - 2; at <= boundary; at++) {
          const text = `${"Ж".repeat(at)}${cluster}${"Ж".repeat(boundary + 67 - at - cluster.length)}`;
          const oracle = new SegmentedMessage(text);
          expect(smsInfo(text).segments, JSON.stringify(cluster)).toBe(oracle.segmentsCount);
        }
      }
    }
  });

  it("counts a Devanagari text as Twilio's calculator does (its clusters, not Intl's graphemes) and removes U+200B as Smart Encoding's table says", () => {
    const text = "नमस्ते दुनिया ".repeat(26).slice(0, 338);
    expect(smsInfo(text)).toEqual({ encoding: "UCS-2", segments: new SegmentedMessage(text).segmentsCount, units: 338 });
    expect(smsInfo(text).segments).toBe(6);
    expect(smartEncode("Merino\u200bcrew\u00a0sweater\ufeff")).toBe("Merinocrew sweater");
  });

  it("Smart Encoding maps code point by code point with the calculator's table, whatever surrounds a character (emoji, lone surrogates, every key)", () => {
    const table = ((SmartEncodingMap as { default?: Record<string, string> }).default ?? SmartEncodingMap) as Record<string, string>;
    // The table's own reading (one code point at a time), with its spaces as one space (sms-text.ts explains why).
    const oracle = (text: string) =>
      Array.from(text, (c) => {
        if (!Object.hasOwn(table, c)) return c;
        const to = table[c] as string;
        return to !== "" && to.trim() === "" ? " " : to;
      }).join("");
    const keys = Object.keys(table);
    const pool = [...keys, "a", "É", "€", "👍🏽", "\ud83d", "\ude00", "\r\n", "\u2060", "Ж", " "];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const texts = [keys.join(""), "plain ASCII with nothing to map", ""];
    for (let i = 0; i < 500; i++)
      texts.push(Array.from({ length: 1 + Math.floor(next() * 40) }, () => pool[Math.floor(next() * pool.length)]).join(""));
    for (const text of texts) expect(smartEncode(text), JSON.stringify(text)).toBe(oracle(text));
  });
});
