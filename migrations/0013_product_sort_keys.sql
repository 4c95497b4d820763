-- The storefront's sort orders as an index (docs/architecture.md): one row per live product, list
-- ('' for the whole catalogue, else a category) and order, so a page of 12 in any order is a walk
-- of this table's primary key, never a sort of the catalogue. `sort` is `title:<locale>` (the
-- title written in that locale, compared case-insensitively), `price:<currency>` (the lowest
-- variant price in minor units, only when every variant has a price in that currency) or
-- `newest` (minus the publication time in ms, so ascending is newest first). Ties: the slug.
-- `sort_key` has no type (titles are text, the others integers); WITHOUT ROWID: the table is its key.
CREATE TABLE `product_sort_keys` (
	`category` text NOT NULL,
	`sort` text NOT NULL,
	`sort_key` NOT NULL COLLATE NOCASE,
	`slug` text NOT NULL,
	`entry_id` text NOT NULL REFERENCES `entries`(`id`),
	PRIMARY KEY (`category`, `sort`, `sort_key`, `slug`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `product_sort_keys_entry` ON `product_sort_keys` (`entry_id`);
--> statement-breakpoint
-- The live products' keys, as src/catalogue/products.ts (sortKeys) writes them on publish.
INSERT INTO `product_sort_keys` (`category`, `sort`, `sort_key`, `slug`, `entry_id`)
SELECT l.`category`, k.`sort`, k.`sort_key`, p.`slug`, p.`entry_id`
FROM `published_products` p
JOIN `revisions` r ON r.`id` = p.`revision_id`
JOIN (
	SELECT '' AS `category`, `entry_id` FROM `published_products`
	UNION ALL
	SELECT `category`, `entry_id` FROM `published_product_categories`
) l ON l.`entry_id` = p.`entry_id`
JOIN (
	SELECT r2.`id` AS `revision_id`, 'title:' || t.`key` AS `sort`, t.`value` AS `sort_key`
	FROM `revisions` r2 JOIN `published_products` p2 ON p2.`revision_id` = r2.`id`, json_each(r2.`document`, '$.title') t
	UNION ALL
	SELECT r2.`id`, 'price:' || c.`key`,
		(SELECT min(json_extract(v.`value`, '$.prices."' || c.`key` || '"')) FROM json_each(r2.`document`, '$.variants') v)
	FROM `revisions` r2 JOIN `published_products` p2 ON p2.`revision_id` = r2.`id`, json_each(r2.`document`, '$.variants[0].prices') c
	WHERE NOT EXISTS (
		SELECT 1 FROM json_each(r2.`document`, '$.variants') v
		WHERE json_extract(v.`value`, '$.prices."' || c.`key` || '"') IS NULL
	)
	UNION ALL
	SELECT p2.`revision_id`, 'newest', -CAST(round((julianday(p2.`published_at`) - 2440587.5) * 86400000.0) AS INTEGER)
	FROM `published_products` p2
) k ON k.`revision_id` = r.`id`;
