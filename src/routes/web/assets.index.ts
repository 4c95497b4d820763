/**
 * Files the web channel serves: its stylesheet under `/assets/`, media under `/media/`
 * (deterministic SVG placeholders for the demo store's `/media/products/…`
 * images) and the app-link association files that let one https link open the
 * app or the web page (docs/channels.md, "Mobile").
 */
import type { Router } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";

const PALETTE = ["#2f4858", "#33658a", "#55828b", "#86bbd8", "#758e4f", "#f6ae2d", "#f26419", "#8c5e58"];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A placeholder image for a media path: same path, same bytes. */
export function placeholderSvg(name: string): string {
  const h = hash(name);
  const bg = PALETTE[h % PALETTE.length];
  const words = name.replace(/-\d+$/, "").split("-").filter(Boolean);
  const initials = words
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? "")
    .join("");
  const label = words.join(" ").slice(0, 40);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 800 800" role="img" aria-label="${xml(label)}"><rect width="800" height="800" fill="${bg}"/><circle cx="400" cy="360" r="${150 + (h % 60)}" fill="#ffffff" fill-opacity="0.12"/><text x="400" y="400" font-family="Georgia, serif" font-size="180" fill="#ffffff" text-anchor="middle" dominant-baseline="middle">${xml(initials)}</text><text x="400" y="650" font-family="Helvetica, Arial, sans-serif" font-size="36" fill="#ffffff" fill-opacity="0.85" text-anchor="middle">${xml(label)}</text></svg>`;
}

export function registerAssetRoutes(app: Router) {
  app.get("/media/:folder/:file", (c) => {
    const { folder, file } = c.req.param();
    const match = /^([a-z0-9-]{1,120})\.svg$/.exec(file);
    if (folder !== "products" || !match?.[1]) throw new ApiError("not_found", "No such media file.");
    c.header("content-type", "image/svg+xml; charset=utf-8");
    c.header("cache-control", "public, max-age=86400, immutable");
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.body(placeholderSvg(match[1]));
  });

  // The storefront's stylesheet, named by its content: cached for a year, and a new build links to a new name.
  app.get("/assets/:name", (c) => {
    const stylesheet = c.get("renderers").web.site?.stylesheet;
    if (!stylesheet || c.req.param("name") !== stylesheet.name) throw new ApiError("not_found", "No such asset.");
    c.header("content-type", "text/css; charset=utf-8");
    c.header("cache-control", "public, max-age=31536000, immutable");
    c.header("x-content-type-options", "nosniff");
    return c.body(stylesheet.css);
  });

  // Universal links (iOS) and App Links (Android): product, cart and handoff URLs open the app when installed.
  app.get("/.well-known/apple-app-site-association", (c) => {
    const appIds = c.get("config").APPLE_APP_IDS;
    c.header("cache-control", "public, max-age=3600");
    return c.json({
      applinks: {
        details: appIds.map((appID) => ({
          appIDs: [appID],
          components: [{ "/": "/products/*" }, { "/": "/cart" }, { "/": "/h/*" }, { "/": "/orders/*" }],
        })),
      },
    });
  });

  app.get("/.well-known/assetlinks.json", (c) => {
    const { ANDROID_PACKAGE, ANDROID_CERT_SHA256 } = c.get("config");
    c.header("cache-control", "public, max-age=3600");
    return c.json(
      ANDROID_PACKAGE
        ? [
            {
              relation: ["delegate_permission/common.handle_all_urls"],
              target: { namespace: "android_app", package_name: ANDROID_PACKAGE, sha256_cert_fingerprints: ANDROID_CERT_SHA256 },
            },
          ]
        : [],
    );
  });
}
