/**
 * The words the system itself says — availability, order status, interface
 * chrome — per language, worded once here so every channel says the same
 * thing. Content (titles, labels, messages) comes from the catalogue; this is
 * only what the catalogue cannot carry. Unknown languages fall back to English.
 */
import type { Availability } from "../catalogue/documents";
import type { JourneyChannel, OrderStatus } from "../db/schema";
import { ApiError } from "../lib/errors";
import type { UiStrings } from "./contract";

interface Wording {
  availability: Record<Availability, string>;
  orderStatus: Record<OrderStatus, string>;
  ui: UiStrings;
  /** "Order UN-K7QM3XZT" */
  orderTitle: (number: string) => string;
  cartTitle: string;
  catalogueTitle: string;
  /** Asking a chat or SMS customer for a parameter a control could not carry. */
  choose: Record<string, string>;
  /** The reply when a handoff code is redeemed on a messaging channel. */
  continued: string;
  /**
   * What a customer is told when an action is refused, by the problem's code; `refused` for any other code. English
   * has none: the API's own detail is English, and says more (which size, how many are left).
   */
  refusals: Partial<Record<string, string>>;
  refused: string;
  /** The storefront's handoff link page (`/h/<code>`, renderers/web/README.md, "Handoff links"). */
  handoff: HandoffWords;
}

/** What the page a handoff link opens says, and its refusals. */
interface HandoffWords {
  title: string;
  /** What confirming does: continue the cart of a conversation on `from`, on this browser. */
  lead: (from: JourneyChannel) => string;
  items: (n: number) => string;
  button: string;
  note: string;
  takenTitle: string;
  taken: string;
  used: string;
  expired: string;
}

const en: Wording = {
  availability: { in_stock: "In stock", low_stock: "Only a few left", preorder: "Available to pre-order", out_of_stock: "Out of stock" },
  orderStatus: {
    placed: "Placed",
    cancelled: "Cancelled",
    return_requested: "Return requested",
    returned: "Returned",
  },
  ui: {
    reply: "Reply",
    or: "or",
    more: "More…",
    menu: "Options",
    details: "Details",
    price: "Price",
    was: "Was",
    quantity: "Quantity",
    total: "Total",
    variant: "Option",
    cart: "Cart",
    emptyCart: "Your cart is empty.",
    order: "Order",
    status: "Status",
    code: "Code",
    validUntil: "Until",
    link: "Link",
    choose: "Choose",
  },
  orderTitle: (n) => `Order ${n}`,
  cartTitle: "Your cart",
  catalogueTitle: "All products",
  choose: {
    score: "How was it? Choose a score from 1 to 5.",
    likelihood: "How likely are you to recommend us to a friend? Choose from 0 (not at all) to 10 (extremely).",
  },
  continued: "Welcome back: your journey continues here.",
  refusals: {},
  refused: "That did not work.",
  handoff: {
    title: "Continue your cart here",
    lead: (from) =>
      ({
        sms: "Continue the cart from your SMS conversation on this browser.",
        whatsapp: "Continue the cart from your WhatsApp conversation on this browser.",
        slack: "Continue the cart from your Slack conversation on this browser.",
        telegram: "Continue the cart from your Telegram conversation on this browser.",
        messenger: "Continue the cart from your Messenger conversation on this browser.",
        web: "Continue the cart from your other browser on this one.",
        mobile: "Continue the cart from our mobile app on this browser.",
        agent: "Continue the cart from your AI assistant on this browser.",
      })[from],
    items: (n) => (n === 0 ? "That cart is empty." : n === 1 ? "It holds 1 item." : `It holds ${n} items.`),
    button: "Continue here",
    note: "Continue only if you asked for this link yourself: this browser then shares that cart, its orders and its details, and what you order here belongs to them.",
    takenTitle: "This browser already has its own cart",
    taken:
      "This browser already has a cart, orders or details of its own, so this link cannot move it to another cart. To continue that cart, open the link in another browser or a private window. Nothing has changed.",
    used: "This link was already used. Ask for a new one where you got it.",
    expired: "This link has expired (links work for 30 minutes). Ask for a new one where you got it.",
  },
};

const fr: Wording = {
  availability: { in_stock: "En stock", low_stock: "Plus que quelques pièces", preorder: "En précommande", out_of_stock: "Épuisé" },
  orderStatus: {
    placed: "Passée",
    cancelled: "Annulée",
    return_requested: "Retour demandé",
    returned: "Retournée",
  },
  ui: {
    reply: "Répondez",
    or: "ou",
    more: "Plus…",
    menu: "Options",
    details: "Détails",
    price: "Prix",
    was: "Avant",
    quantity: "Quantité",
    total: "Total",
    variant: "Option",
    cart: "Panier",
    emptyCart: "Votre panier est vide.",
    order: "Commande",
    status: "Statut",
    code: "Code",
    validUntil: "Jusqu'au",
    link: "Lien",
    choose: "Choisir",
  },
  orderTitle: (n) => `Commande ${n}`,
  cartTitle: "Votre panier",
  catalogueTitle: "Tous les produits",
  choose: {
    score: "Comment était-ce ? Choisissez une note de 1 à 5.",
    likelihood: "Quelle est la probabilité que vous nous recommandiez à un ami ? De 0 (pas du tout) à 10 (certainement).",
  },
  continued: "Bon retour : votre parcours continue ici.",
  refusals: {
    out_of_stock:
      "Il n'y en a pas assez en stock pour ce que vous demandez. Rien n'a été commandé ; votre panier indique ce qui reste disponible.",
    cart_empty: "Votre panier est vide.",
    validation_failed: "Cette demande n'est pas valide : vérifiez la quantité ou le choix, puis réessayez.",
    unprocessable: "Cette demande ne peut pas aboutir en l'état : vérifiez votre panier ou votre commande, puis réessayez.",
    not_found: "Nous ne trouvons pas ce que vous demandez : il n'est peut-être plus disponible.",
    conflict: "Cela a changé entre-temps : rechargez la page et réessayez.",
    action_disabled: "Cette action n'est pas disponible pour le moment.",
    forbidden: "Vous ne pouvez pas faire cela.",
    handoff_used: "Ce lien a déjà été utilisé. Demandez-en un nouveau.",
    handoff_expired: "Ce lien a expiré. Demandez-en un nouveau.",
  },
  refused: "Cela n'a pas abouti. Réessayez, ou écrivez-nous si cela continue.",
  handoff: {
    title: "Continuer votre panier ici",
    lead: (from) =>
      ({
        sms: "Continuer sur ce navigateur le panier de votre conversation SMS.",
        whatsapp: "Continuer sur ce navigateur le panier de votre conversation WhatsApp.",
        slack: "Continuer sur ce navigateur le panier de votre conversation Slack.",
        telegram: "Continuer sur ce navigateur le panier de votre conversation Telegram.",
        messenger: "Continuer sur ce navigateur le panier de votre conversation Messenger.",
        web: "Continuer sur ce navigateur le panier de votre autre navigateur.",
        mobile: "Continuer sur ce navigateur le panier de l'application mobile.",
        agent: "Continuer sur ce navigateur le panier de votre assistant IA.",
      })[from],
    items: (n) => (n === 0 ? "Ce panier est vide." : n === 1 ? "Il contient 1 article." : `Il contient ${n} articles.`),
    button: "Continuer ici",
    note: "Ne continuez que si vous avez demandé ce lien vous-même : ce navigateur partagera alors ce panier, ses commandes et ses coordonnées, et ce que vous commandez ici leur appartiendra.",
    takenTitle: "Ce navigateur a déjà son propre panier",
    taken:
      "Ce navigateur a déjà un panier, des commandes ou des coordonnées à lui : ce lien ne peut pas le rattacher à un autre panier. Pour continuer ce panier, ouvrez le lien dans un autre navigateur ou une fenêtre privée. Rien n'a changé.",
    used: "Ce lien a déjà été utilisé. Demandez-en un nouveau là où vous l'avez reçu.",
    expired: "Ce lien a expiré (un lien est valable 30 minutes). Demandez-en un nouveau là où vous l'avez reçu.",
  },
};

const BY_LANGUAGE: Record<string, Wording> = { en, fr };

/** The wording for a locale (`fr-CA` → `fr`), English when the language has none. */
export function wording(locale: string): Wording {
  return BY_LANGUAGE[locale] ?? BY_LANGUAGE[locale.split("-")[0] ?? ""] ?? en;
}

/**
 * What a customer reads when an action is refused (the storefront's page, an SMS, a chat reply), in their language:
 * the problem's own detail in English (or a language without wording), else the sentence for its code — never the
 * API's English, with its action keys and SKUs, on a French page.
 *
 * @example
 * refusalText("fr", { code: "out_of_stock", detail: "Not enough stock: …" }) // "Il n'y en a pas assez en stock …"
 */
export function refusalText(locale: string, refusal: ApiError | { code?: unknown; detail?: unknown; title?: unknown }): string {
  const problem = refusal instanceof ApiError ? { code: refusal.code, detail: refusal.message } : refusal;
  const words = wording(locale);
  if (words === en) return String(problem.detail ?? problem.title ?? words.refused);
  return words.refusals[String(problem.code)] ?? words.refused;
}
