/**
 * The web channel's site: what the storefront routes (`src/routes/web/`) take from the web renderer besides
 * channel renders — the page frame's words, the stylesheet, the checkout's pages. The web renderer provides
 * it as `webRenderer.site`; the routes reach it through the injected registry, never by importing
 * `renderers/web` (docs/architecture.md, "Layers").
 */
import type { EntityView, ProductRenderView, WebChrome } from "./contract";

/**
 * The words of the web page frame (skip link, search box, column headings, error pages) that the
 * channel-neutral `UiStrings` do not carry because no other channel has a page frame.
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
  /** The paged catalogue: its sort selector and page links. */
  paging: {
    sortBy: string;
    sorts: { title: string; price: string; newest: string };
    apply: string;
    nav: string;
    previous: string;
    next: string;
    pageOf: (n: number, of: number) => string;
  };
  checkout: CheckoutWords;
}

/** The checkout's steps, fields and field errors (the address form validates on the server, without JavaScript). */
export interface CheckoutWords {
  steps: { address: string; delivery: string; review: string };
  /** "Step 1 of 3" */
  stepOf: (n: number, of: number) => string;
  fields: { name: string; email: string; street: string; postcode: string; city: string; country: string };
  hints: { email: string; country: string };
  errors: { name: string; email: string; street: string; postcode: string; city: string; country: string; delivery: string };
  errorSummary: string;
  continue: string;
  change: string;
  placeOrder: string;
  subtotal: string;
  delivery: string;
  deliverTo: string;
  pickupAt: string;
  emptyCart: string;
}

/** One step of the web checkout (address, delivery option, review): storefront pages, not channel views. */
export type CheckoutPage = {
  locale: string;
  url: string;
  ui: EntityView["ui"];
  formAction: string;
  addressUrl: string;
  deliveryUrl: string;
} & (
  | {
      step: "address";
      values: Record<"name" | "email" | "street" | "postcode" | "city" | "country", string>;
      /** Field name → whether it is invalid. */
      invalid: readonly string[];
    }
  | {
      step: "delivery";
      options: { key: string; name: string; price: string; leadTime: string; checked: boolean }[];
      invalid: boolean;
    }
  | {
      step: "review";
      lines: { title: string; quantity: number; lineTotal: string }[];
      subtotal: string;
      delivery: { name: string; price: string; leadTime: string };
      total: string;
      address: Record<string, string> | null;
    }
);

export interface WebSite {
  /** The frame's words in a locale (unknown languages fall back to English). */
  words(locale: string): WebWords;
  /** The storefront's stylesheet, named by its content (`/assets/{name}`). */
  stylesheet: { name: string; css: string };
  /** A checkout step as a full page in the storefront's frame. */
  renderCheckoutPage(page: CheckoutPage, options: { baseUrl: string; chrome: WebChrome }): string;
  /** Product pages in two steps, for storing their parts (src/channels/pages.ts); absent, every page is rendered whole. */
  productPages?: ProductPages;
}

/**
 * What a product page shows that no frame changes (its head's tags, its main section, its title, address and cart
 * label), rendered once and stored; the frame (switcher, banner, categories, cart count, notice) goes around it
 * per request. `compose(parts(view, baseUrl), …)` is byte for byte `render(view, …)` (test/channels/pages.test.ts).
 */
export interface ProductPageParts {
  locale: string;
  title: string;
  url: string;
  cart: string;
  head: string;
  main: string;
  /** How many degradations a whole render of the view reports (`Rendered.manifest.degradations`), framed without chrome. */
  degradations: number;
}

export interface ProductPages {
  /** The version of the parts this renderer builds: stored parts of another format are never composed. */
  format: string;
  /** The media type of what `compose` returns (that of the renderer's whole pages). */
  contentType: string;
  /** The parts of a product page, or null when they cannot be cut apart (the page is then rendered whole). */
  parts(view: ProductRenderView, baseUrl: string): ProductPageParts | null;
  /**
   * The whole page: the frame of this request around stored parts (without `chrome`, the frame `render` draws without
   * one). A frame's `locales[].url` may hold {@link PAGE_PATH} where the page's own path goes; `path` fills it in (as
   * the text it is, escaped like any other). A frame passed with a `path` (one shared by many pages) is drawn once
   * per frame object, not per page; so is the frame without chrome.
   */
  compose(parts: ProductPageParts, options: { baseUrl: string; chrome?: WebChrome | undefined; path?: string }): string;
}

/**
 * Where a product page's own path goes in the language switcher's addresses of a frame shared by every product
 * page (a Unicode noncharacter: `ProductPages.compose` fills it in with its `path`).
 */
export const PAGE_PATH = "\uFDEF";
