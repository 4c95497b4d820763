/**
 * The studio's stylesheet and script, served at `/studio/assets/*` with a
 * content hash in the URL and a year of immutable caching. External files
 * (not inline) so the pages' CSP can say `script-src 'self'; style-src 'self'`.
 * From 320 px up no page scrolls sideways: the top menu wraps, grids never ask
 * for a column wider than the screen, and every table sits in a `.scroll` box
 * that scrolls on its own (test/studio/mobile.browser.test.ts).
 *
 * The script is progressive: every form works without it. With it, the edit
 * form's fields post (debounced, ≈300 ms) to the form's `data-preview` URL and
 * the server-rendered preview fragment is swapped in without a page reload.
 */
import type { Router } from "../lib/create-router";
import { strongEtag } from "../lib/etag";

export const STUDIO_CSS = `
:root{--ink:#1b1f24;--muted:#4a5360;--line:#c4cad3;--bg:#f6f7f9;--card:#fff;--accent:#1a4fd6;--ok:#0f6b3a;--bad:#b3261e;--warn:#7a4b00;--focus:#ffbf47;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
*{box-sizing:border-box}
body{margin:0}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px var(--ink)}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem 1rem}
.skip:focus{left:.5rem;z-index:10}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:1rem 2rem;padding:.75rem 1.5rem;background:#13233f;color:#fff}
.top a{color:#fff}
.brand{font-weight:700;text-decoration:none;font-size:1.1rem}
.top nav ul{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;list-style:none;margin:0;padding:0}
.top nav a[aria-current]{font-weight:700;text-decoration-thickness:3px}
.signout{margin-left:auto;display:flex;flex-wrap:wrap;gap:.5rem .75rem;align-items:center}
.who{font-size:.9rem}
main{padding:1.25rem 1.5rem;max-width:110rem;margin:0 auto}
h1{margin:.25rem 0 .75rem;font-size:1.6rem}
h2{font-size:1.2rem;margin:1.25rem 0 .5rem}
.meta,.hint{color:var(--muted);font-size:.92rem}
.notice{background:#e3f4ea;border-left:4px solid var(--ok);padding:.6rem 1rem}
.alert{background:#fdecea;border-left:4px solid var(--bad);padding:.6rem 1rem;margin:.75rem 0}
.alert h2{margin:.25rem 0;font-size:1.05rem}
.warn{color:var(--warn);font-weight:600}
.field{display:flex;flex-direction:column;gap:.25rem;margin:.5rem 0}
label{font-weight:600}
input[type=text],input[type=password],input[type=search],input[type=datetime-local],select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #6b7380;border-radius:4px;background:#fff;color:var(--ink);width:100%}
textarea{resize:vertical}
.invalid input,.invalid textarea,.invalid select{border:2px solid var(--bad)}
.error{color:var(--bad);font-weight:600;margin:0}
.stale{color:var(--warn);margin:0}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:4px;border:2px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
button:disabled{background:#d5d9df;border-color:#d5d9df;color:#3b424c;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.editor{display:grid;gap:1.5rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:70rem){.editor{grid-template-columns:minmax(0,5fr) minmax(0,6fr)}}
.block,.card,.publish,.preview{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;margin-bottom:1rem}
.group{border:1px solid var(--line);border-radius:4px;padding:.5rem .75rem;margin:.5rem 0}
.group summary{font-weight:600;cursor:pointer}
.fields{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fill,minmax(min(14rem,100%),1fr))}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end;margin-bottom:1rem}
.filters .field{margin:0;min-width:min(14rem,100%)}
table{border-collapse:collapse;background:var(--card)}
table.wide{width:100%}
.scroll{max-width:100%;overflow-x:auto;margin-bottom:.5rem}
th,td{border:1px solid var(--line);padding:.4rem .6rem;text-align:left;vertical-align:top}
td.detail{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-word}
.cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(18rem,100%),1fr))}
.status{font-size:.85rem;padding:.05rem .45rem;border-radius:99px;background:#e6e9ee}
.status.published{background:#d7f0e0;color:#0a4d2a}
.status.draft{background:#fdf0d5;color:#5c3a00}
.verdict{border-radius:4px;padding:.5rem .75rem;margin-bottom:.75rem}
.verdict.ok{background:#e3f4ea;border-left:4px solid var(--ok)}
.verdict.bad{background:#fdecea;border-left:4px solid var(--bad)}
.verdict h4{margin:.1rem 0}
.verdict ul{margin:.25rem 0;padding-left:1.25rem}
.where{color:var(--muted)}
.locale{margin:.5rem 0}
.locale>summary{font-weight:700;cursor:pointer}
.channels{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(min(17rem,100%),1fr));margin-top:.5rem}
.ch h5{margin:.25rem 0;font-size:.95rem}
iframe.web{width:100%;height:26rem;border:1px solid var(--line);border-radius:4px;background:#fff}
.phone{width:16.5rem;border:10px solid #222;border-radius:28px;background:#222;padding:14px 0}
.screen{background:#fff;border-radius:6px;height:26rem;overflow:auto;padding:.5rem;font-size:.85rem}
.m-bar{margin:0 0 .4rem;font-weight:700;border-bottom:1px solid var(--line);padding-bottom:.3rem}
.m{margin:.3rem 0}
.m img{max-width:100%;height:auto;display:block;background:#eee;min-height:2rem}
.m-heading{font-size:1.1rem;font-weight:700}
.m-price{font-weight:700}
.m-badge span{background:#e6e9ee;border-radius:99px;padding:0 .4rem}
.m ul{margin:.2rem 0;padding-left:1rem}
.m-actions{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.5rem}
.m-button{background:var(--accent);color:#fff;border-radius:6px;padding:.25rem .6rem}
.sms{background:#eceff3;border-radius:8px;padding:.6rem}
.bubble{white-space:pre-wrap;word-break:break-word;background:#fff;border-radius:14px 14px 14px 4px;padding:.5rem .7rem;margin:0;box-shadow:0 1px 1px rgba(0,0,0,.15);font-size:.9rem}
.chat{background:#eceff3;border-radius:8px;padding:.5rem .6rem;margin-bottom:.6rem}
.platform{margin:0 0 .3rem;font-weight:700;font-size:.85rem}
.buttons{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;margin:.35rem 0 0;padding:0}
.buttons li{border:1px solid var(--accent);color:#123a9c;background:#fff;border-radius:14px;padding:.15rem .65rem;font-size:.85rem}
.conflict td.yours{background:#eef3ff}
.conflict td.theirs{background:#fff6e5}
.diff tr.add td{background:#eaf6ee}
.diff tr.remove td{background:#fdecea}
code{font-family:ui-monospace,monospace;font-size:.9em}
figure.chart{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
figure.chart svg{display:block;max-width:100%;height:auto}
figure.chart figcaption{font-weight:600;margin-bottom:.4rem}
input[type=date]{font:inherit;padding:.4rem .5rem;border:1px solid #6b7380;border-radius:4px;background:#fff;color:var(--ink)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(22rem,100%),1fr));gap:1rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
`;

export const STUDIO_JS = `(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  var target = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  if (!form || !target || !window.fetch) return;
  var timer = 0;
  var sequence = 0;
  var controller = null;
  function say(text) { if (status) status.textContent = text; }
  function refresh() {
    var mine = ++sequence;
    if (controller) controller.abort();
    controller = "AbortController" in window ? new AbortController() : null;
    say("Updating the preview…");
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "x-studio-fragment": "1" },
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (html) {
      if (mine !== sequence) return;
      var open = {};
      target.querySelectorAll("details.locale").forEach(function (d, i) { open[i] = d.open; });
      target.innerHTML = html;
      target.querySelectorAll("details.locale").forEach(function (d, i) { if (i in open) d.open = open[i]; });
      target.setAttribute("data-sequence", String(mine));
      say("Preview updated.");
    }).catch(function (error) {
      if (error && error.name === "AbortError") return;
      say("The preview could not be updated (" + (error && error.message) + "). Use the Preview button.");
    });
  }
  // A violation or an error links to its field: open the group it is in and put the cursor there.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href^='#f-']") : null;
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var group = field.closest("details");
    if (group) group.open = true;
    history.replaceState(null, "", link.getAttribute("href"));
    field.focus();
  });
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
`;

/** The assets by file name, with the content type and a short content hash for the URL. */
export const STUDIO_ASSETS = {
  "studio.css": { body: STUDIO_CSS, type: "text/css; charset=utf-8", hash: strongEtag(STUDIO_CSS).replaceAll('"', "").slice(0, 12) },
  "studio.js": { body: STUDIO_JS, type: "text/javascript; charset=utf-8", hash: strongEtag(STUDIO_JS).replaceAll('"', "").slice(0, 12) },
} as const;

export type StudioAsset = keyof typeof STUDIO_ASSETS;

/** The URL of an asset, versioned by its content. */
export function assetUrl(name: StudioAsset): string {
  return `/studio/assets/${name}?v=${STUDIO_ASSETS[name].hash}`;
}

/** Serves the assets at `/studio/assets/:name` (no session needed: they hold nothing private). */
export function registerAssets(app: Router) {
  app.get("/studio/assets/:name", (c) => {
    const name = c.req.param("name") as StudioAsset;
    if (!Object.hasOwn(STUDIO_ASSETS, name)) return c.text("Not found", 404);
    const asset = STUDIO_ASSETS[name];
    return new Response(asset.body, {
      headers: {
        "content-type": asset.type,
        // Versioned URLs (?v=<hash>): a changed asset is a new URL, so a year of caching is safe.
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
