-- Full-text search over published products (SQLite FTS5; D1 supports it too).
-- One row per live product; each text column holds every locale's text, so a
-- search in any language finds the product. drizzle-kit cannot express virtual
-- tables, hence this custom migration.
CREATE VIRTUAL TABLE `products_fts` USING fts5(
  `entry_id` UNINDEXED,
  `slug` UNINDEXED,
  `title`,
  `summary`,
  `description`,
  `categories`,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Titles weigh most, then categories and summaries, then descriptions.
INSERT INTO `products_fts` (`products_fts`, `rank`) VALUES ('rank', 'bm25(0.0, 0.0, 10.0, 4.0, 1.0, 5.0)');
