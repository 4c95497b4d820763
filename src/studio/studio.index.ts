/**
 * The editors' studio at `/studio`: server-rendered pages over the editors' API.
 * Plain `app.get`/`app.post` (pages, not API operations, so they stay out of
 * the OpenAPI document). Writes go through the API in-process with the
 * editor's key (`api.ts`); reads use the API too, except the live preview of
 * an unsaved document, which calls the publish gate's `auditDocument` directly
 * (nothing is written).
 *
 * Every page re-authenticates the session cookie; every POST checks the CSRF
 * token and the Origin (`guard.ts`), then answers with a redirect
 * (post/redirect/get) or the page again with the errors next to their fields.
 *
 * One file per page, mounted here in the order the router matches them: the
 * fixed paths (`/studio/customers`, `/studio/insights`, `/studio/assets`,
 * `/studio/signin`) before the editors' `/studio/:kind/…`.
 *
 * | file           | pages                                                                 |
 * | -------------- | --------------------------------------------------------------------- |
 * | `customers.ts` | the customer search and a customer's story, a reply on a case         |
 * | `insights.ts`  | insights per channel and journey, their CSV exports                   |
 * | `assets.ts`    | the stylesheet and script                                             |
 * | `signin.ts`    | sign-in, sign-out                                                     |
 * | `dashboard.ts` | the consistency dashboard                                             |
 * | `list.ts`      | the list of products, messages or actions                             |
 * | `editor.ts`    | the edit page and its live preview                                    |
 * | `save.ts`      | saving the edit form (form → admin API → redirect), the conflict page |
 * | `publish.ts`   | publish, unpublish, confirm an override                               |
 * | `revisions.ts` | revisions, diff, rollback                                             |
 * | `audit.ts`     | an entry's audit log                                                  |
 *
 * What the pages share: `guard.ts` (session, Origin, CSRF, scope), `entries.ts` (loading an entry, listing a
 * kind), `forms.ts` with `fields.ts`, `sections.ts` and `patches.ts` (the edit form), `preview.ts` (the
 * channels' preview and its parity verdict), `view.ts` (templates and headers), `api.ts` and `session.ts`.
 */
import type { Router } from "../lib/create-router";
import { registerAssets } from "./assets";
import { registerAuditPage } from "./audit";
import { registerCustomerPages } from "./customers";
import { registerDashboard } from "./dashboard";
import { registerEditorPages } from "./editor";
import { registerInsightsPages } from "./insights";
import { registerListPage } from "./list";
import { registerPublishActions } from "./publish";
import { registerRevisionPages } from "./revisions";
import { registerSave } from "./save";
import { registerSignin } from "./signin";

/**
 * Mounts the studio on the app; `app` is also what the studio calls for every API operation.
 *
 * @example
 * registerStudioRoutes(app); // GET /studio, /studio/products/:slug … POST …/preview, …/publish
 */
export function registerStudioRoutes(app: Router) {
  registerCustomerPages(app);
  registerInsightsPages(app);
  registerAssets(app);
  registerSignin(app);
  registerDashboard(app);
  registerListPage(app);
  registerEditorPages(app);
  registerSave(app);
  registerPublishActions(app);
  registerRevisionPages(app);
  registerAuditPage(app);
}
