/**
 * Writes the demo store (Fjord & Pine, an outdoor and home goods shop) into
 * `content/` in the canonical file format. The committed files are the source
 * of truth; this script is how they were made, kept so the store can be
 * regenerated consistently (`npx tsx scripts/generate-demo-content.ts`).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileText, ProductFile } from "../src/catalogue/content";
import { DeliveryOptionDoc } from "../src/catalogue/delivery";
import { ActionDoc, LocaleDoc, MessageDoc } from "../src/catalogue/documents";
import { writeContentDir } from "../src/cli/content-files";

type L = { en: string; fr: string };
interface Spec {
  slug: string;
  title: L;
  summary: L;
  category: string[];
  price: number;
  compareAt?: number;
  options?: Record<string, { en: string; fr: string }[]>;
  stock: number[];
  material?: L;
  care?: L;
  backorder?: "preorder";
  smsTitle?: string;
}

const S = (en: string, fr: string): L => ({ en, fr });
const sizes = ["S", "M", "L", "XL"].map((s) => ({ en: s, fr: s }));
const shoeSizes = ["39", "41", "43", "45"].map((s) => ({ en: s, fr: s }));

const CATEGORY_TEXT: Record<string, L> = {
  knitwear: S(
    "Knitted in Portugal from traceable fibres and finished by hand.",
    "Tricoté au Portugal à partir de fibres traçables et fini à la main.",
  ),
  outerwear: S(
    "Cut for moving, layering and long days in changing weather.",
    "Coupé pour bouger, superposer les couches et affronter les longues journées de météo changeante.",
  ),
  footwear: S("Resoleable construction, so a good pair lasts for years.", "Construction ressemelable : une bonne paire dure des années."),
  camping: S(
    "Tested on the trail by our team before it reaches the shop.",
    "Testé sur les sentiers par notre équipe avant d'arriver en boutique.",
  ),
  kitchen: S("Made to be used every day and passed on.", "Conçu pour servir tous les jours et se transmettre."),
  home: S("Simple, durable pieces for a warm, uncluttered home.", "Des pièces simples et durables pour une maison chaleureuse et épurée."),
};

const PRODUCTS: Spec[] = [
  {
    slug: "merino-crew-sweater",
    title: S("Merino crew sweater", "Pull col rond en mérinos"),
    summary: S("A light, warm crew-neck in fine merino wool.", "Un pull col rond léger et chaud en laine mérinos fine."),
    category: ["knitwear", "men"],
    price: 8900,
    compareAt: 11000,
    options: { size: sizes, color: [S("Navy", "Marine"), S("Oat", "Avoine")] },
    stock: [4, 12, 0, 7, 3, 9, 14, 2],
    material: S("100% merino wool", "100 % laine mérinos"),
    care: S("Hand wash cold, dry flat", "Lavage à la main à froid, séchage à plat"),
    smsTitle: "Merino crew",
  },
  {
    slug: "fisherman-cable-knit",
    title: S("Fisherman cable knit", "Pull marin torsadé"),
    summary: S("A heavy cable knit for the coldest mornings.", "Un gros pull torsadé pour les matins les plus froids."),
    category: ["knitwear", "men"],
    price: 13900,
    options: { size: sizes },
    stock: [2, 6, 5, 1],
    material: S("Undyed wool", "Laine non teinte"),
  },
  {
    slug: "alpaca-cardigan",
    title: S("Alpaca cardigan", "Cardigan en alpaga"),
    summary: S("A soft cardigan with horn buttons.", "Un cardigan doux aux boutons en corne."),
    category: ["knitwear", "women"],
    price: 12500,
    options: { size: sizes, color: [S("Charcoal", "Anthracite"), S("Rust", "Rouille")] },
    stock: [3, 8, 8, 2, 0, 4, 6, 1],
    material: S("70% alpaca, 30% wool", "70 % alpaga, 30 % laine"),
  },
  {
    slug: "ribbed-beanie",
    title: S("Ribbed beanie", "Bonnet côtelé"),
    summary: S("A snug ribbed beanie that keeps its shape.", "Un bonnet côtelé bien ajusté qui garde sa forme."),
    category: ["knitwear", "accessories"],
    price: 2900,
    options: { color: [S("Forest", "Forêt"), S("Mustard", "Moutarde"), S("Black", "Noir")] },
    stock: [40, 22, 31],
  },
  {
    slug: "wool-scarf",
    title: S("Lambswool scarf", "Écharpe en laine d'agneau"),
    summary: S("A long scarf woven in a classic check.", "Une longue écharpe tissée à carreaux classiques."),
    category: ["knitwear", "accessories"],
    price: 4900,
    stock: [18],
  },
  {
    slug: "fingerless-gloves",
    title: S("Fingerless gloves", "Mitaines"),
    summary: S("Warm hands, free fingers.", "Les mains au chaud, les doigts libres."),
    category: ["knitwear", "accessories"],
    price: 2400,
    stock: [0],
    backorder: "preorder",
  },
  {
    slug: "waxed-cotton-jacket",
    title: S("Waxed cotton jacket", "Veste en coton ciré"),
    summary: S("A rain-ready jacket that gets better with age.", "Une veste prête pour la pluie qui se bonifie avec le temps."),
    category: ["outerwear", "men"],
    price: 24900,
    compareAt: 27900,
    options: { size: sizes },
    stock: [1, 3, 4, 0],
    material: S("Waxed organic cotton", "Coton biologique ciré"),
  },
  {
    slug: "down-parka",
    title: S("Down parka", "Parka en duvet"),
    summary: S("A long, hooded parka rated to minus twenty.", "Une parka longue à capuche, confortable jusqu'à moins vingt."),
    category: ["outerwear", "women"],
    price: 34900,
    options: { size: sizes, color: [S("Black", "Noir"), S("Moss", "Mousse")] },
    stock: [2, 2, 1, 0, 3, 4, 2, 1],
  },
  {
    slug: "rain-shell",
    title: S("Packable rain shell", "Veste de pluie compressible"),
    summary: S("Waterproof, breathable, and folds into its own pocket.", "Imperméable, respirante, elle se range dans sa propre poche."),
    category: ["outerwear"],
    price: 15900,
    options: { size: sizes },
    stock: [11, 15, 12, 6],
  },
  {
    slug: "fleece-pullover",
    title: S("Recycled fleece pullover", "Polaire recyclée"),
    summary: S(
      "A cosy half-zip fleece made from recycled bottles.",
      "Une polaire demi-zip douillette fabriquée à partir de bouteilles recyclées.",
    ),
    category: ["outerwear"],
    price: 7900,
    options: { size: sizes },
    stock: [20, 25, 18, 9],
  },
  {
    slug: "quilted-vest",
    title: S("Quilted vest", "Gilet matelassé"),
    summary: S("Core warmth without the bulk.", "De la chaleur sans l'encombrement."),
    category: ["outerwear"],
    price: 9900,
    options: { size: sizes },
    stock: [0, 0, 0, 0],
  },
  {
    slug: "trail-boots",
    title: S("Leather trail boots", "Bottines de randonnée en cuir"),
    summary: S("Waterproof leather boots with a grippy sole.", "Des bottines en cuir imperméable à la semelle accrocheuse."),
    category: ["footwear"],
    price: 21900,
    options: { size: shoeSizes },
    stock: [3, 5, 2, 4],
    smsTitle: "Trail boots",
  },
  {
    slug: "wool-slippers",
    title: S("Felted wool slippers", "Chaussons en laine feutrée"),
    summary: S("Warm slippers with a suede sole.", "Des chaussons chauds à semelle en daim."),
    category: ["footwear", "home"],
    price: 5900,
    options: { size: shoeSizes },
    stock: [9, 12, 10, 4],
  },
  {
    slug: "canvas-sneakers",
    title: S("Canvas sneakers", "Baskets en toile"),
    summary: S("Everyday sneakers in organic canvas.", "Des baskets de tous les jours en toile biologique."),
    category: ["footwear"],
    price: 7500,
    options: { size: shoeSizes },
    stock: [14, 16, 13, 8],
  },
  {
    slug: "hiking-socks",
    title: S("Merino hiking socks", "Chaussettes de randonnée en mérinos"),
    summary: S("Cushioned socks that stay fresh for days.", "Des chaussettes rembourrées qui restent fraîches des jours durant."),
    category: ["footwear", "accessories"],
    price: 1900,
    options: { size: [S("S", "S"), S("M", "M"), S("L", "L")] },
    stock: [60, 80, 45],
  },
  {
    slug: "two-person-tent",
    title: S("Two-person tent", "Tente deux places"),
    summary: S("A freestanding tent that pitches in five minutes.", "Une tente autoportante qui se monte en cinq minutes."),
    category: ["camping"],
    price: 32900,
    compareAt: 36900,
    stock: [4],
  },
  {
    slug: "down-sleeping-bag",
    title: S("Down sleeping bag", "Sac de couchage en duvet"),
    summary: S(
      "Comfortable to minus five, packs to the size of a loaf.",
      "Confortable jusqu'à moins cinq, il se compacte à la taille d'une miche de pain.",
    ),
    category: ["camping"],
    price: 27900,
    options: { length: [S("Regular", "Standard"), S("Long", "Long")] },
    stock: [6, 3],
  },
  {
    slug: "camp-stove",
    title: S("Compact camp stove", "Réchaud de camping compact"),
    summary: S("Boils a litre of water in three minutes.", "Fait bouillir un litre d'eau en trois minutes."),
    category: ["camping", "kitchen"],
    price: 6900,
    stock: [15],
  },
  {
    slug: "enamel-mug",
    title: S("Enamel camp mug", "Tasse émaillée"),
    summary: S("A chip-resistant mug for fire and table.", "Une tasse résistante aux chocs, pour le feu comme pour la table."),
    category: ["camping", "kitchen"],
    price: 1500,
    options: { color: [S("White", "Blanc"), S("Blue", "Bleu")] },
    stock: [70, 3],
  },
  {
    slug: "headlamp",
    title: S("Rechargeable headlamp", "Lampe frontale rechargeable"),
    summary: S("400 lumens, USB-C, red night mode.", "400 lumens, USB-C, mode nuit rouge."),
    category: ["camping"],
    price: 4500,
    stock: [25],
  },
  {
    slug: "trekking-poles",
    title: S("Carbon trekking poles", "Bâtons de marche en carbone"),
    summary: S("Light, foldable poles with cork grips.", "Des bâtons légers et pliants aux poignées en liège."),
    category: ["camping"],
    price: 11900,
    stock: [0],
  },
  {
    slug: "daypack-25",
    title: S("Daypack 25 L", "Sac à dos 25 L"),
    summary: S("A comfortable pack for day hikes and commutes.", "Un sac confortable pour la randonnée à la journée et les trajets."),
    category: ["camping", "accessories"],
    price: 9500,
    options: { color: [S("Olive", "Olive"), S("Slate", "Ardoise")] },
    stock: [8, 5],
  },
  {
    slug: "cast-iron-skillet",
    title: S("Cast iron skillet", "Poêle en fonte"),
    summary: S("Pre-seasoned, oven-safe, made to last generations.", "Pré-culottée, va au four, faite pour durer des générations."),
    category: ["kitchen"],
    price: 5900,
    options: { size: [S("20 cm", "20 cm"), S("26 cm", "26 cm")] },
    stock: [10, 7],
  },
  {
    slug: "oak-cutting-board",
    title: S("Oak cutting board", "Planche à découper en chêne"),
    summary: S("End-grain oak that is kind to knives.", "Du chêne en bois de bout, doux pour les couteaux."),
    category: ["kitchen"],
    price: 6500,
    stock: [12],
  },
  {
    slug: "linen-tea-towels",
    title: S("Linen tea towels (set of 2)", "Torchons en lin (lot de 2)"),
    summary: S("Absorbent stonewashed linen.", "Du lin lavé à la pierre, très absorbant."),
    category: ["kitchen", "home"],
    price: 2900,
    options: { color: [S("Natural", "Naturel"), S("Stripe", "Rayé")] },
    stock: [30, 26],
  },
  {
    slug: "stoneware-bowls",
    title: S("Stoneware bowls (set of 4)", "Bols en grès (lot de 4)"),
    summary: S("Reactive glaze, each one a little different.", "Un émail réactif : chaque bol est un peu différent."),
    category: ["kitchen"],
    price: 5400,
    stock: [5],
  },
  {
    slug: "pour-over-coffee-set",
    title: S("Pour-over coffee set", "Set café filtre"),
    summary: S("A glass dripper, carafe and 100 filters.", "Un filtre en verre, une carafe et 100 filtres."),
    category: ["kitchen"],
    price: 4900,
    stock: [0],
    backorder: "preorder",
  },
  {
    slug: "wool-throw-blanket",
    title: S("Wool throw blanket", "Plaid en laine"),
    summary: S("A heavy throw woven on a traditional loom.", "Un plaid épais tissé sur un métier traditionnel."),
    category: ["home"],
    price: 11900,
    compareAt: 13900,
    options: { color: [S("Grey", "Gris"), S("Ochre", "Ocre")] },
    stock: [6, 2],
    material: S("100% wool", "100 % laine"),
  },
  {
    slug: "beeswax-candles",
    title: S("Beeswax candles (set of 3)", "Bougies en cire d'abeille (lot de 3)"),
    summary: S("Clean-burning candles from local hives.", "Des bougies à combustion propre issues de ruches locales."),
    category: ["home"],
    price: 2200,
    stock: [45],
  },
  {
    slug: "linen-duvet-cover",
    title: S("Linen duvet cover", "Housse de couette en lin"),
    summary: S("Breathable stonewashed linen for every season.", "Du lin lavé à la pierre, respirant en toute saison."),
    category: ["home"],
    price: 16900,
    options: { size: [S("Double", "Double"), S("King", "King")] },
    stock: [4, 3],
  },
  {
    slug: "sheepskin-rug",
    title: S("Sheepskin rug", "Tapis en peau de mouton"),
    summary: S("A soft, tanned sheepskin for chair or floor.", "Une peau de mouton douce et tannée pour fauteuil ou sol."),
    category: ["home"],
    price: 8900,
    stock: [2],
  },
  {
    slug: "ceramic-planter",
    title: S("Ceramic planter", "Cache-pot en céramique"),
    summary: S("A glazed planter with a drainage saucer.", "Un cache-pot émaillé avec soucoupe de drainage."),
    category: ["home"],
    price: 3400,
    options: { size: [S("Small", "Petit"), S("Large", "Grand")] },
    stock: [15, 0],
  },
  {
    slug: "thermal-flask",
    title: S("Steel thermal flask", "Bouteille isotherme en acier"),
    summary: S("Hot for 12 hours, cold for 24.", "Chaud pendant 12 heures, froid pendant 24."),
    category: ["camping", "kitchen"],
    price: 3500,
    options: { color: [S("Steel", "Acier"), S("Red", "Rouge")] },
    stock: [33, 14],
  },
];

function combinations(options: Spec["options"]): Record<string, { en: string; fr: string }>[] {
  const entries = Object.entries(options ?? {});
  let out: Record<string, { en: string; fr: string }>[] = [{}];
  for (const [name, values] of entries) out = out.flatMap((combo) => values.map((v) => ({ ...combo, [name]: v })));
  return out;
}

function skuOf(slug: string, combo: Record<string, { en: string }>): string {
  const base = slug
    .split("-")
    .map((w) => w.slice(0, 3))
    .join("-")
    .toUpperCase();
  const suffix = Object.values(combo)
    .map((v) =>
      v.en
        .replace(/[^A-Za-z0-9]/g, "")
        .toUpperCase()
        .slice(0, 5),
    )
    .join("-");
  return suffix ? `${base}-${suffix}` : base;
}

function product(spec: Spec) {
  const combos = combinations(spec.options);
  const variants = combos.map((combo, i) => {
    const hasTitle = Object.keys(combo).length > 0;
    return {
      sku: skuOf(spec.slug, combo),
      ...(hasTitle
        ? {
            title: {
              en: Object.values(combo)
                .map((v) => v.en)
                .join(" / "),
              fr: Object.values(combo)
                .map((v) => v.fr)
                .join(" / "),
            },
          }
        : {}),
      options: Object.fromEntries(Object.entries(combo).map(([k, v]) => [k, v.en])),
      prices: { EUR: spec.price },
      ...(spec.compareAt ? { compareAtPrices: { EUR: spec.compareAt } } : {}),
      backorder: spec.backorder ?? "deny",
      lowStockThreshold: 5,
      stock: spec.stock[i] ?? 0,
    };
  });
  const primary = spec.category[0] ?? "home";
  const extra = CATEGORY_TEXT[primary] ?? CATEGORY_TEXT.home!;
  const attributes = [
    ...(spec.material ? [{ key: "material", label: S("Material", "Matière"), value: spec.material }] : []),
    ...(spec.care ? [{ key: "care", label: S("Care", "Entretien"), value: spec.care }] : []),
  ];
  const mediaCount = 1 + (spec.slug.length % 3);
  return ProductFile.parse({
    slug: spec.slug,
    title: spec.title,
    summary: spec.summary,
    description: { en: `${spec.summary.en} ${extra.en}`, fr: `${spec.summary.fr} ${extra.fr}` },
    categories: spec.category,
    media: Array.from({ length: mediaCount }, (_, i) => ({
      url: `/media/products/${spec.slug}-${i + 1}.svg`,
      alt: {
        en: i === 0 ? spec.title.en : `${spec.title.en}, detail ${i + 1}`,
        fr: i === 0 ? spec.title.fr : `${spec.title.fr}, détail ${i + 1}`,
      },
    })),
    attributes,
    variants,
    overrides: spec.smsTitle ? [{ channel: "sms", locale: "en", field: "title", value: spec.smsTitle, basedOn: spec.title.en }] : [],
  });
}

const message = (m: Omit<MessageDoc, "overrides" | "facts"> & { facts?: Partial<MessageDoc["facts"]> }) =>
  MessageDoc.parse({ ...m, facts: { codes: [], percentages: [], dates: [], links: [], ...m.facts } });

const SITE = "https://shop.fjordandpine.example";
const MESSAGES = [
  message({
    key: "winter_sale",
    kind: "promotion",
    title: S("Winter sale: 20% off knitwear", "Soldes d'hiver : 20 % sur la maille"),
    body: S(
      "Wrap up for less: use code WINTER20 at checkout for 20% off all knitwear until 6 January 2027.",
      "Couvrez-vous pour moins cher : utilisez le code WINTER20 au paiement pour 20 % de remise sur toute la maille jusqu'au 6 janvier 2027.",
    ),
    short: S("WINTER20: 20% off knitwear until 6 Jan", "WINTER20 : 20 % sur la maille jusqu'au 6 janv."),
    startsAt: "2026-11-20T00:00:00Z",
    endsAt: "2027-01-06T00:00:00Z",
    facts: { codes: ["WINTER20"], percentages: [20], dates: ["2027-01-06"] },
  }),
  message({
    key: "spring_camping_preview",
    kind: "promotion",
    title: S("Spring camping preview", "Avant-première camping de printemps"),
    body: S(
      "Members save 15% on new tents with code SPRING15 from 1 March 2027.",
      "Les membres économisent 15 % sur les nouvelles tentes avec le code SPRING15 dès le 1er mars 2027.",
    ),
    short: S("SPRING15: 15% off tents from 1 Mar", "SPRING15 : 15 % sur les tentes dès le 1er mars"),
    startsAt: "2027-03-01T00:00:00Z",
    endsAt: "2027-03-31T00:00:00Z",
    facts: { codes: ["SPRING15"], percentages: [15], dates: ["2027-03-01"] },
  }),
  message({
    key: "free_shipping",
    kind: "policy",
    title: S("Free shipping over €75", "Livraison offerte dès 75 €"),
    body: S(
      `Orders over €75 ship free within the EU in 2 to 4 working days. Details: ${SITE}/shipping`,
      `Les commandes de plus de 75 € sont livrées gratuitement dans l'UE en 2 à 4 jours ouvrés. Détails : ${SITE}/shipping`,
    ),
    short: S(`Free EU shipping over €75: ${SITE}/shipping`, `Livraison UE offerte dès 75 € : ${SITE}/shipping`),
    startsAt: null,
    endsAt: null,
    facts: { links: [`${SITE}/shipping`] },
  }),
  message({
    key: "returns_policy",
    kind: "policy",
    title: S("30-day returns", "Retours sous 30 jours"),
    body: S(
      `Changed your mind? Return unworn items within 30 days for a full refund. Start a return: ${SITE}/returns`,
      `Vous avez changé d'avis ? Retournez les articles non portés sous 30 jours pour un remboursement complet. Lancer un retour : ${SITE}/returns`,
    ),
    short: S(`Returns within 30 days: ${SITE}/returns`, `Retours sous 30 jours : ${SITE}/returns`),
    startsAt: null,
    endsAt: null,
    facts: { links: [`${SITE}/returns`] },
  }),
  message({
    key: "privacy_policy",
    kind: "policy",
    title: S("Privacy", "Confidentialité"),
    body: S(
      `We only use your data to run your orders and never sell it. Read the policy: ${SITE}/privacy`,
      `Nous n'utilisons vos données que pour traiter vos commandes et ne les vendons jamais. Lire la politique : ${SITE}/privacy`,
    ),
    short: S(`Your data stays with us: ${SITE}/privacy`, `Vos données restent chez nous : ${SITE}/privacy`),
    startsAt: null,
    endsAt: null,
    facts: { links: [`${SITE}/privacy`] },
  }),
  message({
    key: "faq_sizing",
    kind: "faq",
    title: S("How do your sizes run?", "Comment taillent vos vêtements ?"),
    body: S(
      "Our knitwear runs true to size; outerwear is cut roomy for layering. If in doubt, take your usual size.",
      "Notre maille taille normalement ; les vestes sont coupées amples pour superposer. En cas de doute, prenez votre taille habituelle.",
    ),
    short: S("Knitwear true to size, outerwear roomy.", "Maille taille normale, vestes amples."),
    startsAt: null,
    endsAt: null,
  }),
  message({
    key: "faq_delivery_time",
    kind: "faq",
    title: S("When will my order arrive?", "Quand arrivera ma commande ?"),
    body: S(
      "Orders placed before 2 pm ship the same working day and arrive in 2 to 4 working days within the EU.",
      "Les commandes passées avant 14 h partent le jour ouvré même et arrivent en 2 à 4 jours ouvrés dans l'UE.",
    ),
    short: S("Ships same day before 2 pm; 2–4 days.", "Expédié le jour même avant 14 h ; 2 à 4 jours."),
    startsAt: null,
    endsAt: null,
  }),
  message({
    key: "faq_wool_care",
    kind: "faq",
    title: S("How do I care for wool?", "Comment entretenir la laine ?"),
    body: S(
      "Air it often, wash rarely: hand wash cold with wool detergent and dry flat away from heat.",
      "Aérez souvent, lavez rarement : lavage à la main à froid avec une lessive pour laine, séchage à plat loin de la chaleur.",
    ),
    short: S("Air often, hand wash cold, dry flat.", "Aérez, lavez à froid à la main, séchez à plat."),
    startsAt: null,
    endsAt: null,
  }),
  message({
    key: "faq_repairs",
    kind: "faq",
    title: S("Do you repair what you sell?", "Réparez-vous ce que vous vendez ?"),
    body: S(
      `Yes: boots are resoled and knitwear darned in our workshop. Book a repair: ${SITE}/repairs`,
      `Oui : les bottines sont ressemelées et la maille reprisée dans notre atelier. Réserver une réparation : ${SITE}/repairs`,
    ),
    short: S(`Repairs in our workshop: ${SITE}/repairs`, `Réparations en atelier : ${SITE}/repairs`),
    startsAt: null,
    endsAt: null,
    facts: { links: [`${SITE}/repairs`] },
  }),
  message({
    key: "opening_hours",
    kind: "announcement",
    title: S("Shop opening hours", "Horaires de la boutique"),
    body: S(
      "Our Bergen shop is open Monday to Saturday, 10:00 to 18:00, and Sunday 12:00 to 16:00.",
      "Notre boutique de Bergen est ouverte du lundi au samedi de 10 h à 18 h, et le dimanche de 12 h à 16 h.",
    ),
    short: S("Mon–Sat 10:00–18:00, Sun 12:00–16:00", "Lun–sam 10 h–18 h, dim 12 h–16 h"),
    startsAt: null,
    endsAt: null,
  }),
  message({
    key: "holiday_closing",
    kind: "announcement",
    title: S("Closed on 25 December", "Fermé le 25 décembre"),
    body: S(
      "The shop and our support team are closed on 25 December 2026. Online orders ship again on 27 December.",
      "La boutique et notre service client sont fermés le 25 décembre 2026. Les commandes en ligne repartent dès le 27 décembre.",
    ),
    short: S("Closed 25 Dec; orders ship from 27 Dec.", "Fermé le 25 déc. ; expéditions dès le 27 déc."),
    startsAt: "2026-12-01T00:00:00Z",
    endsAt: "2026-12-27T00:00:00Z",
    facts: { dates: ["2026-12-25"] },
  }),
  message({
    key: "order_confirmation",
    kind: "system",
    title: S("Thank you for your order", "Merci pour votre commande"),
    body: S(
      "We have your order and will let you know as soon as it ships.",
      "Nous avons bien reçu votre commande et vous préviendrons dès son expédition.",
    ),
    short: S("Order received, thank you!", "Commande reçue, merci !"),
    startsAt: null,
    endsAt: null,
  }),
  message({
    key: "back_in_stock_notice",
    kind: "system",
    title: S("Back in stock", "De retour en stock"),
    body: S(
      "Good news: an item you asked about is back in stock.",
      "Bonne nouvelle : un article que vous attendiez est de retour en stock.",
    ),
    short: S("Back in stock!", "De retour en stock !"),
    startsAt: null,
    endsAt: null,
  }),
];

const action = (key: string, keyword: string, label: L, confirmation: L, appliesTo: ActionDoc["appliesTo"]) =>
  ActionDoc.parse({ key, label, confirmation, appliesTo, enabled: true, keyword, overrides: [] });

const ACTIONS = [
  action("view_product", "VIEW", S("View details", "Voir le détail"), S("Here are the details.", "Voici le détail."), ["product"]),
  action("add_to_cart", "ADD", S("Add to cart", "Ajouter au panier"), S("Added to your cart.", "Ajouté à votre panier."), ["product"]),
  action(
    "notify_back_in_stock",
    "NOTIFY",
    S("Notify me", "Me prévenir"),
    S("We'll tell you when it's back.", "Nous vous préviendrons de son retour."),
    ["product"],
  ),
  action("update_quantity", "QTY", S("Change quantity", "Modifier la quantité"), S("Quantity updated.", "Quantité mise à jour."), ["cart"]),
  action("remove_from_cart", "REMOVE", S("Remove", "Retirer"), S("Removed from your cart.", "Retiré de votre panier."), ["cart"]),
  action("view_cart", "CART", S("View cart", "Voir le panier"), S("Here is your cart.", "Voici votre panier."), ["cart", "global"]),
  action("checkout", "BUY", S("Check out", "Commander"), S("Your order is placed.", "Votre commande est passée."), ["cart"]),
  action(
    "order_status",
    "STATUS",
    S("Order status", "Suivi de commande"),
    S("Here is your order status.", "Voici le suivi de votre commande."),
    ["order"],
  ),
  action(
    "cancel_order",
    "CANCELORDER",
    S("Cancel order", "Annuler la commande"),
    S("Your order is cancelled.", "Votre commande est annulée."),
    ["order"],
  ),
  action("request_return", "RETURN", S("Return items", "Retourner"), S("Your return is started.", "Votre retour est lancé."), ["order"]),
  action(
    "contact_agent",
    "AGENT",
    S("Talk to us", "Nous parler"),
    S("An agent will reply shortly.", "Un conseiller vous répond sous peu."),
    ["global"],
  ),
  action("rate_experience", "RATE", S("Rate us", "Nous noter"), S("Thank you for your rating.", "Merci pour votre note."), [
    "order",
    "global",
  ]),
  action("recommend", "NPS", S("Recommend us?", "Nous recommander ?"), S("Thank you for your answer.", "Merci pour votre réponse."), [
    "order",
    "global",
  ]),
  action(
    "handoff",
    "WEB",
    S("Continue online", "Continuer en ligne"),
    S("Here is your link to continue.", "Voici votre lien pour continuer."),
    ["global"],
  ),
];

const LOCALES = [
  LocaleDoc.parse({ code: "en", name: "English", fallback: null, default: true, currency: "EUR" }),
  LocaleDoc.parse({ code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }),
];

/** Standard delivery is free over €75, as messages/free_shipping says. */
const DELIVERY = [
  DeliveryOptionDoc.parse({
    key: "standard",
    name: S("Standard delivery", "Livraison standard"),
    kind: "shipping",
    prices: { EUR: 490 },
    freeOver: { EUR: 7500 },
    leadTimeDays: { min: 2, max: 4 },
  }),
  DeliveryOptionDoc.parse({
    key: "express",
    name: S("Express delivery", "Livraison express"),
    kind: "shipping",
    prices: { EUR: 1290 },
    leadTimeDays: { min: 1, max: 1 },
  }),
  DeliveryOptionDoc.parse({
    key: "pickup",
    name: S("Pick up in store", "Retrait en boutique"),
    kind: "pickup",
    prices: { EUR: 0 },
    leadTimeDays: { min: 1, max: 2 },
  }),
];

const dir = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../content");
for (const sub of ["products", "messages", "actions"]) await rm(join(dir, sub), { recursive: true, force: true });
await writeContentDir(dir, [
  { path: "locales.json", text: fileText(LOCALES) },
  { path: "delivery.json", text: fileText(DELIVERY) },
  ...PRODUCTS.map((p) => ({ path: `products/${p.slug}.json`, text: fileText(product(p)) })),
  ...MESSAGES.map((m) => ({ path: `messages/${m.key}.json`, text: fileText(m) })),
  ...ACTIONS.map((a) => ({ path: `actions/${a.key}.json`, text: fileText(a) })),
]);
console.log(`wrote ${PRODUCTS.length} products, ${MESSAGES.length} messages, ${ACTIONS.length} actions to ${dir}`);
