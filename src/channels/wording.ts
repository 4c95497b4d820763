/**
 * The words the system itself says — availability, order status, interface
 * chrome — per language, worded once here so every channel says the same
 * thing. Content (titles, labels, messages) comes from the catalogue; this is
 * only what the catalogue cannot carry. Unknown languages fall back to English.
 */
import type { Availability } from "../catalogue/documents";
import type { OrderStatus } from "../db/schema";
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
export function refusalText(locale: string, problem: { code?: unknown; detail?: unknown; title?: unknown }): string {
  const words = wording(locale);
  if (words === en) return String(problem.detail ?? problem.title ?? words.refused);
  return words.refusals[String(problem.code)] ?? words.refused;
}
