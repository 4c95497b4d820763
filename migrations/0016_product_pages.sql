-- A live product's web page in parts, per locale, next to its answer (src/channels/pages.ts): its head's tags
-- and its main section as the web renderer wrote them, with the base URL left as a mark; the storefront
-- composes each request's frame around them. The row's triggers (0015) drop them with the answer whenever the
-- product's row is written. `page_basis` names what else they were built from (the locale set, the live
-- actions, the renderer's format): '' when built without a renderer (they are due again), NULL once marked due.
-- The index finds a page of another basis without reading them all.
ALTER TABLE `product_answers` ADD `page_basis` text DEFAULT '';
--> statement-breakpoint
ALTER TABLE `product_answers` ADD `page` text;
--> statement-breakpoint
CREATE INDEX `product_answers_page_basis` ON `product_answers` (`page_basis`);
