/**
 * The adversarial corpus (issue #11): content that makes channels disagree, each
 * with the rule that must refuse it, and tricky content that is consistent and
 * must publish. Every case is a whole entity of its own (a copy of a demo
 * product or message under a new key, or a new action), so all of them can live
 * in one catalogue and be audited together.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Rule } from "../../src/consistency/engine";
import { CONTENT_DIR } from "../helpers/demo";

export type Doc = Record<string, any>;

export interface Case {
  id: string;
  /** The class of the issue it belongs to (1–7). */
  class: string;
  type: "product" | "message" | "action";
  doc: Doc;
  /** The rule that must refuse it; absent for a consistent case. */
  rule?: Rule;
}

const read = (path: string): Doc => JSON.parse(readFileSync(join(CONTENT_DIR, path), "utf8"));
const clone = <T>(v: T): T => structuredClone(v);

let n = 0;
/** A demo product under a new slug and new SKUs (so cases never collide), changed by `edit`. */
function product(base: string, edit: (doc: Doc) => void): Doc {
  const doc = clone(read(`products/${base}.json`));
  const id = `c${String(++n).padStart(3, "0")}`;
  doc.slug = `${id}-${doc.slug}`;
  for (const v of doc.variants) v.sku = `${id.toUpperCase()}-${v.sku}`;
  for (const m of doc.media) delete m.unused;
  edit(doc);
  return doc;
}

function message(base: string, edit: (doc: Doc) => void): Doc {
  const doc = clone(read(`messages/${base}.json`));
  doc.key = `c${String(++n).padStart(3, "0")}_${doc.key}`;
  edit(doc);
  return doc;
}

const override = (channel: string, locale: string, field: string, value: string, basedOn: string) => ({
  channel,
  locale,
  field,
  value,
  basedOn,
});

const CHANNELS = ["web", "mobile", "sms", "chat"] as const;

const TENT_SUMMARY = "A freestanding tent that pitches in five minutes.";
const SALE_BODY = "Wrap up for less: use code WINTER20 at checkout for 20% off all knitwear until 6 January 2027.";
const SALE_SHORT = "WINTER20: 20% off knitwear until 6 Jan";
const SHIP_SHORT = "Free EU shipping over €75";

/** Override texts that add, drop or change a claim of their base (a product summary, a message short form). */
const SUMMARY_LIES: [string, string][] = [
  ["money added", "Today only €19.00! Pitches in five minutes."],
  ["availability contradicted", "Sorry, this tent is out of stock."],
  ["percentage added", "30% off: a freestanding tent."],
  ["date added", "Back on 16 January 2027: a freestanding tent."],
  ["code added", "A freestanding tent. Use code SAVE10."],
  ["link without a scheme added", "A freestanding tent: www.fjord-deals.example/tent"],
  ["link in capitals added", "A freestanding tent: HTTPS://fjord-deals.example/tent"],
];

/** Summary overrides that add a claim written as the first gate did not read claims (each on one channel). */
const CLAIMS_IN_OTHER_WORDS: [string, string][] = [
  ["price in full-width digits", `${TENT_SUMMARY} Now only €１０!`],
  ["currency code in full-width letters", `${TENT_SUMMARY} Now ＥＵＲ 10.`],
  ["price in Arabic-Indic digits", `${TENT_SUMMARY} Now only €١٠!`],
  ["amount in words of a currency", `${TENT_SUMMARY} Now only 10 euros!`],
  ["amount and currency in words", `${TENT_SUMMARY} Only ten euros!`],
  ["currency code in lower case", `${TENT_SUMMARY} Now 10eur.`],
  ["Australian dollars", `${TENT_SUMMARY} Now A$10.`],
  ["an offer without a figure", `Free! ${TENT_SUMMARY}`],
  ["half price", `Half price this week. ${TENT_SUMMARY}`],
  ["a synonym of out of stock", `Sold out. ${TENT_SUMMARY}`],
  ["a synonym of in stock", `Available now, ships today! ${TENT_SUMMARY}`],
  ["out of stock in French on an English channel", `Épuisé. ${TENT_SUMMARY}`],
];

const SHORT_LIES: [string, string][] = [
  ["percentage changed", "WINTER20: 30% off knitwear until 6 Jan"],
  ["percentage inside a bigger one", "WINTER20: 120% off knitwear until 6 Jan"],
  ["date changed", "WINTER20: 20% off knitwear until 16 Jan"],
  ["code in another case", "winter20: 20% off knitwear until 6 Jan"],
  ["code dropped", "20% off knitwear until 6 Jan"],
];

export function corpus(): Case[] {
  n = 0;
  const cases: Case[] = [];
  const bad = (cls: string, id: string, type: Case["type"], doc: Doc, rule: Rule) => cases.push({ id, class: cls, type, doc, rule });
  const good = (cls: string, id: string, type: Case["type"], doc: Doc) => cases.push({ id, class: cls, type, doc });

  // 1. Overrides are trusted — now they must carry their base's claims and name the same product.
  for (const channel of CHANNELS) {
    bad(
      "1",
      `${channel} title override names another product`,
      "product",
      product("two-person-tent", (d) => {
        d.overrides = [override(channel, "en", "title", "Merino crew sweater", "Two-person tent")];
      }),
      "override_entity",
    );
    for (const [what, text] of SUMMARY_LIES) {
      bad(
        "1",
        `${channel} summary override: ${what}`,
        "product",
        product("two-person-tent", (d) => {
          d.overrides = [override(channel, "en", "summary", text, TENT_SUMMARY)];
        }),
        "override_claims",
      );
    }
    bad(
      "1",
      `${channel} title override adds a price`,
      "product",
      product("two-person-tent", (d) => {
        d.overrides = [override(channel, "en", "title", "Two-person tent €99", "Two-person tent")];
      }),
      "override_claims",
    );
  }
  bad(
    "1",
    "French SMS title override names another product",
    "product",
    product("two-person-tent", (d) => {
      d.overrides = [override("sms", "fr", "title", "Pull en mérinos", "Tente deux places")];
    }),
    "override_entity",
  );
  bad(
    "1",
    "SMS title override with nothing visible",
    "product",
    product("two-person-tent", (d) => {
      d.overrides = [override("sms", "en", "title", "\u200b\u200b", "Two-person tent")];
    }),
    "label_invisible",
  );

  // 2 and 3. Substrings and contradictions in a message's overrides.
  for (const channel of CHANNELS) {
    for (const [what, text] of SHORT_LIES) {
      bad(
        "2",
        `${channel} short override: ${what}`,
        "message",
        message("winter_sale", (d) => {
          d.overrides = [override(channel, "en", "short", text, SALE_SHORT)];
        }),
        "override_claims",
      );
    }
    bad(
      "3",
      `${channel} body override contradicts the percentage`,
      "message",
      message("winter_sale", (d) => {
        d.overrides = [override(channel, "en", "body", SALE_BODY.replace("20%", "30%"), SALE_BODY)];
      }),
      "override_claims",
    );
    bad(
      "3",
      `${channel} short override changes the amount of a text`,
      "message",
      message("free_shipping", (d) => {
        d.overrides = [override(channel, "en", "short", "Free EU shipping over €30", SHIP_SHORT)];
      }),
      "override_claims",
    );
  }

  // 7. Overrides fall back along the locale chain: a French override of a text written only in English is
  // held to the English text's claims and names.
  for (const channel of CHANNELS) {
    bad(
      "7",
      `French ${channel} summary override of an English-only summary adds a price`,
      "product",
      product("two-person-tent", (d) => {
        delete d.summary.fr;
        d.overrides = [override(channel, "fr", "summary", "Aujourd'hui seulement 19,00 € ! Une tente autoportante.", TENT_SUMMARY)];
      }),
      "override_claims",
    );
  }
  bad(
    "7",
    "French SMS title override of an English-only title names another product",
    "product",
    product("two-person-tent", (d) => {
      delete d.title.fr;
      d.overrides = [override("sms", "fr", "title", "Pull en mérinos", "Two-person tent")];
    }),
    "override_entity",
  );
  bad(
    "7",
    "French chat summary override of an English-only summary says it is sold out",
    "product",
    product("two-person-tent", (d) => {
      delete d.summary.fr;
      d.overrides = [override("chat", "fr", "summary", "Épuisé : une tente autoportante.", TENT_SUMMARY)];
    }),
    "override_claims",
  );
  bad(
    "7",
    "French SMS short override of an English-only short changes the percentage",
    "message",
    message("winter_sale", (d) => {
      delete d.short.fr;
      d.overrides = [override("sms", "fr", "short", "WINTER20 : 30 % sur la maille jusqu'au 6 janv.", SALE_SHORT)];
    }),
    "override_claims",
  );

  // 4. Actions gate like entities: a label nobody can see.
  bad(
    "4",
    "action label of zero-width spaces",
    "action",
    {
      key: "c900_peek",
      label: { en: "\u200b" },
      confirmation: { en: "Done." },
      appliesTo: ["cart"],
      enabled: true,
      keyword: "PEEK",
      overrides: [],
    },
    "label_invisible",
  );
  bad(
    "4",
    "action label override of a zero-width space",
    "action",
    {
      key: "c901_track",
      label: { en: "Track it" },
      confirmation: { en: "Done." },
      appliesTo: ["order"],
      enabled: true,
      keyword: "TRACKIT",
      overrides: [override("chat", "en", "label", "\u200b\u2060", "Track it")],
    },
    "label_invisible",
  );

  // Consistent content that looks suspicious.
  // 1. Overrides that reword and shorten without changing a claim.
  for (const channel of CHANNELS) {
    good(
      "1",
      `${channel} title override shortens the base title`,
      "product",
      product("two-person-tent", (d) => {
        d.overrides = [override(channel, "en", "title", "Tent, two-person", "Two-person tent")];
      }),
    );
    good(
      "1",
      `${channel} summary override rewords it`,
      "product",
      product("two-person-tent", (d) => {
        d.overrides = [override(channel, "en", "summary", "Freestanding; up in five minutes.", TENT_SUMMARY)];
      }),
    );
    good(
      "2",
      `${channel} short override writes the amount another way`,
      "message",
      message("free_shipping", (d) => {
        d.overrides = [override(channel, "en", "short", "Free shipping over 75 EUR", SHIP_SHORT)];
      }),
    );
    good(
      "2",
      `${channel} short override keeps code, percentage and date`,
      "message",
      message("winter_sale", (d) => {
        d.overrides = [override(channel, "en", "short", "Code WINTER20 = 20% off until 6 January 2027", SALE_SHORT)];
      }),
    );
  }
  good(
    "1",
    "French title override of a French title",
    "product",
    product("two-person-tent", (d) => {
      d.overrides = [override("sms", "fr", "title", "Tente 2 places", "Tente deux places")];
    }),
  );
  good(
    "2",
    "a code inside a longer word in the base text",
    "message",
    message("winter_sale", (d) => {
      d.body.en = `Wholesale buyers too: ${SALE_BODY}`;
    }),
  );
  good(
    "2",
    "a percentage and 100% in the same product",
    "product",
    product("merino-crew-sweater", (d) => {
      d.summary.en = "100% merino, 20% lighter than our classic.";
    }),
  );
  good(
    "3",
    "an amount in a message text that every channel keeps",
    "message",
    message("free_shipping", (d) => {
      d.short.en = "Free shipping on orders over €75";
    }),
  );
  // 5. One codec.
  good(
    "5",
    "a one-letter SKU",
    "product",
    product("headlamp", (d) => {
      d.variants = [{ ...d.variants[0], sku: "A" }];
    }),
  );
  good(
    "5",
    "a SKU ending in a hyphen",
    "product",
    product("headlamp", (d) => {
      d.variants = [{ ...d.variants[0], sku: "ADV32-" }];
    }),
  );
  good(
    "5",
    "SKUs that start with a currency code and digits (GBP7-0, EUR20-S): identifiers, not amounts (found at 100k products)",
    "product",
    product("headlamp", (d) => {
      d.variants = [{ ...d.variants[0], sku: "GBP7-0" }, ...(d.variants[1] ? [{ ...d.variants[1], sku: "EUR20-S" }] : [])];
    }),
  );
  good(
    "5",
    "a one-letter slug",
    "product",
    product("headlamp", (d) => {
      d.slug = "x";
    }),
  );
  good(
    "5",
    "a 64-character SKU",
    "product",
    product("headlamp", (d) => {
      d.variants = [{ ...d.variants[0], sku: `L${"0123456789ABCDEF".repeat(4)}`.slice(0, 64) }];
    }),
  );
  good(
    "5",
    "a 49-character slug",
    "product",
    product("headlamp", (d) => {
      d.slug = "a-headlamp-with-a-slug-of-forty-nine-characters-x".slice(0, 49);
    }),
  );
  good(
    "5",
    "a link with parentheses",
    "message",
    message("returns_policy", (d) => {
      d.facts.links = ["https://shop.example/media/guides/fjord_(geography).svg"];
      d.body.en = `${d.body.en} See https://shop.example/media/guides/fjord_(geography).svg`;
    }),
  );
  // 6. Platform truth: formatting characters are escaped, not formatting.
  good(
    "6",
    "a title with asterisks",
    "product",
    product("daypack-25", (d) => {
      d.title.en = "*ULTRALIGHT* daypack";
    }),
  );
  good(
    "6",
    "a title with underscores and tildes",
    "product",
    product("daypack-25", (d) => {
      d.title.en = "_Daypack_ ~25 l~";
    }),
  );
  good(
    "6",
    "a title with backticks",
    "product",
    product("daypack-25", (d) => {
      d.title.en = "`Daypack` 25";
    }),
  );
  // 7. Policy: a was-price is shown on every channel.
  good(
    "7",
    "a product with a was-price",
    "product",
    product("wool-throw-blanket", () => {}),
  );
  good(
    "7",
    "a product out of stock",
    "product",
    product("headlamp", (d) => {
      for (const v of d.variants) v.stock = 0;
    }),
  );
  good(
    "7",
    "a product on pre-order",
    "product",
    product("headlamp", (d) => {
      for (const v of d.variants) {
        v.stock = 0;
        v.backorder = "preorder";
      }
    }),
  );
  // 7. Overrides along the locale chain.
  good(
    "7",
    "French SMS title override of an English-only title",
    "product",
    product("two-person-tent", (d) => {
      delete d.title.fr;
      d.overrides = [override("sms", "fr", "title", "Tent, two-person", "Two-person tent")];
    }),
  );
  good(
    "7",
    "French chat summary override of an English-only summary",
    "product",
    product("two-person-tent", (d) => {
      delete d.summary.fr;
      d.overrides = [override("chat", "fr", "summary", "Tente autoportante, montée en cinq minutes.", TENT_SUMMARY)];
    }),
  );
  good(
    "7",
    "French channels inherit the English SMS title override of an English-only title",
    "product",
    product("two-person-tent", (d) => {
      delete d.title.fr;
      d.overrides = [override("sms", "en", "title", "Tent, two-person", "Two-person tent")];
    }),
  );
  good(
    "7",
    "French SMS short override of an English-only short, in French words",
    "message",
    message("winter_sale", (d) => {
      delete d.short.fr;
      d.overrides = [override("sms", "fr", "short", "WINTER20 : 20 % sur la maille jusqu'au 6 janv.", SALE_SHORT)];
    }),
  );
  good("4", "a new action that applies to products", "action", {
    key: "c902_gift",
    label: { en: "Gift wrap", fr: "Paquet cadeau" },
    confirmation: { en: "Wrapped.", fr: "Emballé." },
    appliesTo: ["product"],
    enabled: true,
    keyword: "GIFT",
    overrides: [],
  });

  // 1 and 4. What a careless or hostile editor writes that the first gate let through (issue #14's review): a
  // price in full-width digits, in words or another currency's sign; an offer, an availability or a month in
  // words; a title that could be another product or carries a symbol; a label that offers something else.
  CLAIMS_IN_OTHER_WORDS.forEach(([what, text], i) => {
    const channel = CHANNELS[i % CHANNELS.length]!;
    bad(
      "1",
      `${channel} summary override: ${what}`,
      "product",
      product("two-person-tent", (d) => {
        d.overrides = [override(channel, "en", "summary", text, TENT_SUMMARY)];
      }),
      "override_claims",
    );
  });
  for (const [channel, what, text] of [
    ["sms", "stretches the end date to a month", `${SALE_SHORT}, extended to end of January`],
    ["chat", "adds a month", "WINTER20: 20% off knitwear until 6 Jan + all February"],
    ["web", "adds a percentage in words", `${SALE_SHORT}; thirty percent for members`],
    ["mobile", "adds an offer", `${SALE_SHORT}, 2nd pair free`],
  ] as const) {
    bad(
      "2",
      `${channel} short override ${what}`,
      "message",
      message("winter_sale", (d) => {
        d.overrides = [override(channel, "en", "short", text, SALE_SHORT)];
      }),
      "override_claims",
    );
  }
  for (const [channel, what, base, title] of [
    ["sms", "keeps one word of three: any merino product", "merino-crew-sweater", "Merino"],
    ["chat", "drops the number of the set", "stoneware-bowls", "Stoneware bowls"],
    ["web", "adds a symbol", "merino-crew-sweater", "Merino crew sweater 🆓"],
    ["mobile", "strikes a word through", "merino-crew-sweater", "M\u0336e\u0336r\u0336i\u0336n\u0336o\u0336 crew sweater"],
    ["sms", "ends in a right-to-left override", "merino-crew-sweater", "Merino crew sweater\u202e"],
  ] as const) {
    bad(
      "1",
      `${channel} title override ${what}`,
      "product",
      product(base, (d) => {
        d.overrides = [override(channel, "en", "title", title, d.title.en)];
      }),
      "override_entity",
    );
  }
  const orderAction = (key: string, keyword: string, overrides: Doc[]) => ({
    key,
    label: { en: "Track parcel" },
    confirmation: { en: "Tracking sent." },
    appliesTo: ["order"],
    enabled: true,
    keyword,
    overrides,
  });
  bad(
    "4",
    "web label override adds a discount",
    "action",
    orderAction("c903_track", "TRACKA", [override("web", "en", "label", "Track parcel - 50% off", "Track parcel")]),
    "override_claims",
  );
  bad(
    "4",
    "SMS label override offers another action",
    "action",
    orderAction("c904_track", "TRACKB", [override("sms", "en", "label", "Contact agent", "Track parcel")]),
    "override_entity",
  );
  bad(
    "4",
    "chat label override says free and sold out",
    "action",
    orderAction("c905_track", "TRACKC", [override("chat", "en", "label", "Free - Sold out", "Track parcel")]),
    "override_claims",
  );
  bad(
    "4",
    "SMS confirmation override adds a price",
    "action",
    orderAction("c906_track", "TRACKD", [override("sms", "en", "confirmation", "Tracking sent. You paid €1.", "Tracking sent.")]),
    "override_claims",
  );
  good(
    "4",
    "SMS label override shortens the label",
    "action",
    orderAction("c907_track", "TRACKE", [override("sms", "en", "label", "Track", "Track parcel")]),
  );
  good(
    "1",
    "chat title override writes the set's number as a word",
    "product",
    product("stoneware-bowls", (d) => {
      d.overrides = [override("chat", "en", "title", "Stoneware bowls (set of four)", "Stoneware bowls (set of 4)")];
    }),
  );
  good(
    "2",
    "SMS short override writes the amount in words of a currency",
    "message",
    message("free_shipping", (d) => {
      d.overrides = [override("sms", "en", "short", "Free EU shipping over 75 euros", SHIP_SHORT)];
    }),
  );
  good(
    "1",
    "web summary override keeps an adjective ending in -free",
    "product",
    product("two-person-tent", (d) => {
      d.summary.en = "A PFAS-free tent that pitches in five minutes.";
      d.overrides = [override("web", "en", "summary", "PFAS-free; up in five minutes.", d.summary.en)];
    }),
  );
  return cases;
}
