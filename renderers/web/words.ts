/**
 * The words of the web page frame (skip link, search box, column headings,
 * error pages) that the channel-neutral `UiStrings` do not carry because no
 * other channel has a page frame. Content never comes from here. Unknown
 * languages fall back to English, like `src/channels/wording.ts`.
 */
export interface WebWords {
  skip: string;
  search: string;
  language: string;
  categories: string;
  allProducts: string;
  promotions: string;
  was: string;
  priceNow: string;
  noProducts: string;
  product: string;
  actions: string;
  placedOn: string;
  amountDue: string;
  score: string;
  likelihood: string;
  notFoundTitle: string;
  notFoundText: string;
  forbiddenTitle: string;
  forbiddenText: string;
  refusedTitle: string;
  searchTitle: (q: string) => string;
}

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
};

const BY_LANGUAGE: Record<string, WebWords> = { en, fr };

/** The page-frame words for a locale (`fr-CA` → `fr`), English when the language has none. */
export function webWords(locale: string): WebWords {
  return BY_LANGUAGE[locale] ?? BY_LANGUAGE[locale.split("-")[0] ?? ""] ?? en;
}
