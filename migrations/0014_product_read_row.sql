-- A live product's read in one row (docs/architecture.md): its revision's number and document, and the
-- stock of its listed SKUs, next to the slug, availability and publication time already here. Reading
-- a product by slug is then one index seek and one row, not five (published_products → revisions by id
-- → inventory by entry): at 100,000 products those leaves are rarely in the page cache. Publishing
-- writes these columns from the revision it projects (src/catalogue/products.ts `productKind.project`),
-- and every statement that changes stock refreshes `stock` with `availability`
-- (src/catalogue/availability.ts `refreshAvailabilitySql`), in the same atomic write.
-- `stock` is a JSON object, SKU → units, of the product's listed inventory rows.
ALTER TABLE `published_products` ADD `revision_number` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `published_products` ADD `document` text DEFAULT '{}' NOT NULL;
--> statement-breakpoint
ALTER TABLE `published_products` ADD `stock` text DEFAULT '{}' NOT NULL;
--> statement-breakpoint
-- The live products' rows, as publishing and the stock refresh write them.
UPDATE `published_products` SET
	`revision_number` = (SELECT r.`number` FROM `revisions` r WHERE r.`id` = `published_products`.`revision_id`),
	`document` = (SELECT r.`document` FROM `revisions` r WHERE r.`id` = `published_products`.`revision_id`),
	`stock` = (SELECT json_group_object(i.`sku`, i.`stock`) FROM `inventory` i WHERE i.`entry_id` = `published_products`.`entry_id` AND i.`listed` = 1);
