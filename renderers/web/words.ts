/**
 * The words of the web page frame (skip link, search box, column headings,
 * error pages) that the channel-neutral `UiStrings` do not carry because no
 * other channel has a page frame. Content never comes from here. Unknown
 * languages fall back to English, like `src/channels/wording.ts`.
 */
import type { CheckoutWords, WebWords } from "../../src/channels/site";

export type { CheckoutWords, WebWords };

const en: WebWords = {
  skip: "Skip to content",
  search: "Search",
  language: "Language",
  categories: "Categories",
  allProducts: "All products",
  promotions: "Promotions",
  was: "Was",
  priceNow: "Price now:",
  noProducts: "No products match.",
  product: "Product",
  actions: "Actions",
  placedOn: "Placed on",
  amountDue: "Amount due",
  score: "Score (1 to 5)",
  likelihood: "How likely are you to recommend us? From 0 (not at all) to 10 (extremely)",
  notFoundTitle: "Page not found",
  notFoundText: "There is nothing at this address. It may have moved or never existed.",
  forbiddenTitle: "Request refused",
  forbiddenText: "This form was sent from another site, so it was not accepted.",
  refusedTitle: "That did not work",
  searchTitle: (q) => `Search: ${q}`,
  paging: {
    sortBy: "Sort by",
    sorts: { title: "Name (A to Z)", price: "Price (lowest first)", newest: "Newest first" },
    apply: "Sort",
    nav: "Pages",
    previous: "Previous page",
    next: "Next page",
    pageOf: (n, of) => `Page ${n} of ${of}`,
  },
  checkout: {
    steps: { address: "Delivery address", delivery: "Delivery option", review: "Review your order" },
    stepOf: (n, of) => `Step ${n} of ${of}`,
    fields: { name: "Full name", email: "Email", street: "Street and number", postcode: "Postcode", city: "City", country: "Country code" },
    hints: { email: "For your order confirmation.", country: "Two letters, such as FR or DE." },
    errors: {
      name: "Enter your full name.",
      email: "Enter an email address such as ana@example.com.",
      street: "Enter the street and number.",
      postcode: "Enter the postcode (letters, digits, spaces and hyphens).",
      city: "Enter the city.",
      country: "Enter a two-letter country code, such as FR or DE.",
      delivery: "Choose a delivery option.",
    },
    errorSummary: "Please correct the following:",
    continue: "Continue",
    change: "Change",
    placeOrder: "Place order",
    subtotal: "Subtotal",
    delivery: "Delivery",
    deliverTo: "Deliver to",
    pickupAt: "Collect at the shop",
    emptyCart: "Your cart is empty: add something before checking out.",
  },
};

const fr: WebWords = {
  skip: "Aller au contenu",
  search: "Rechercher",
  language: "Langue",
  categories: "Catégories",
  allProducts: "Tous les produits",
  promotions: "Promotions",
  was: "Avant",
  priceNow: "Prix actuel :",
  noProducts: "Aucun produit ne correspond.",
  product: "Produit",
  actions: "Actions",
  placedOn: "Passée le",
  amountDue: "Montant dû",
  score: "Note (de 1 à 5)",
  likelihood: "Nous recommanderiez-vous ? De 0 (pas du tout) à 10 (certainement)",
  notFoundTitle: "Page introuvable",
  notFoundText: "Il n'y a rien à cette adresse. Elle a peut-être changé ou n'a jamais existé.",
  forbiddenTitle: "Demande refusée",
  forbiddenText: "Ce formulaire a été envoyé depuis un autre site : il n'a pas été accepté.",
  refusedTitle: "Cela n'a pas fonctionné",
  searchTitle: (q) => `Recherche : ${q}`,
  paging: {
    sortBy: "Trier par",
    sorts: { title: "Nom (A à Z)", price: "Prix (croissant)", newest: "Nouveautés" },
    apply: "Trier",
    nav: "Pages",
    previous: "Page précédente",
    next: "Page suivante",
    pageOf: (n, of) => `Page ${n} sur ${of}`,
  },
  checkout: {
    steps: { address: "Adresse de livraison", delivery: "Mode de livraison", review: "Vérifiez votre commande" },
    stepOf: (n, of) => `Étape ${n} sur ${of}`,
    fields: { name: "Nom complet", email: "E-mail", street: "Rue et numéro", postcode: "Code postal", city: "Ville", country: "Code pays" },
    hints: { email: "Pour la confirmation de commande.", country: "Deux lettres, par exemple FR ou DE." },
    errors: {
      name: "Indiquez votre nom complet.",
      email: "Indiquez une adresse e-mail, par exemple ana@example.com.",
      street: "Indiquez la rue et le numéro.",
      postcode: "Indiquez le code postal (lettres, chiffres, espaces et tirets).",
      city: "Indiquez la ville.",
      country: "Indiquez un code pays de deux lettres, par exemple FR ou DE.",
      delivery: "Choisissez un mode de livraison.",
    },
    errorSummary: "Veuillez corriger les points suivants :",
    continue: "Continuer",
    change: "Modifier",
    placeOrder: "Passer la commande",
    subtotal: "Sous-total",
    delivery: "Livraison",
    deliverTo: "Livrer à",
    pickupAt: "Retrait en boutique",
    emptyCart: "Votre panier est vide : ajoutez un article avant de commander.",
  },
};

const BY_LANGUAGE: Record<string, WebWords> = { en, fr };

/** The page-frame words for a locale (`fr-CA` → `fr`), English when the language has none. */
export function webWords(locale: string): WebWords {
  return BY_LANGUAGE[locale] ?? BY_LANGUAGE[locale.split("-")[0] ?? ""] ?? en;
}
