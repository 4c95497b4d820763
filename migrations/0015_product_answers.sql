-- A live product's delivery answer per locale, ready to send (src/catalogue/answers.ts): reading one at
-- 100,000 products costs an index seek and a row, not a parse, a view, a serialization and a hash.
-- An answer is only as good as the `published_products` row it was built from, so every write of that
-- row deletes the product's answers in the same unit, whichever code path wrote it (publish, rollback,
-- unpublish, every stock refresh, a later migration), and marks the product due: the write's request
-- then builds its answers again (src/app.ts), and a read that finds none builds the answer from the row
-- as before. A locale change leaves the answers in place (reads ignore them: their `basis` names
-- another locale set) and marks every product due. drizzle-kit cannot express triggers; one statement
-- per trigger body, as D1's statement splitter needs.
CREATE TABLE `product_answers` (
	`slug` text NOT NULL,
	`locale` text NOT NULL,
	`basis` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`slug`, `locale`)
);
--> statement-breakpoint
-- Products whose answers are to be built: `mark` changes with every write of the row, so the builder
-- clears only the marks it built from.
CREATE TABLE `product_answers_due` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`mark` text NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `product_answers_drop_on_insert` AFTER INSERT ON `published_products`
BEGIN
  DELETE FROM `product_answers` WHERE `slug` = NEW.`slug`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_drop_on_update` AFTER UPDATE ON `published_products`
BEGIN
  DELETE FROM `product_answers` WHERE `slug` IN (OLD.`slug`, NEW.`slug`);
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_drop_on_delete` AFTER DELETE ON `published_products`
BEGIN
  DELETE FROM `product_answers` WHERE `slug` = OLD.`slug`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_due_on_insert` AFTER INSERT ON `published_products`
BEGIN
  INSERT INTO `product_answers_due` (`entry_id`, `mark`) VALUES (NEW.`entry_id`, hex(randomblob(8)))
  ON CONFLICT (`entry_id`) DO UPDATE SET `mark` = excluded.`mark`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_due_on_update` AFTER UPDATE ON `published_products`
BEGIN
  INSERT INTO `product_answers_due` (`entry_id`, `mark`) VALUES (NEW.`entry_id`, hex(randomblob(8)))
  ON CONFLICT (`entry_id`) DO UPDATE SET `mark` = excluded.`mark`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_due_on_locale_insert` AFTER INSERT ON `locales`
BEGIN
  INSERT INTO `product_answers_due` (`entry_id`, `mark`) SELECT `entry_id`, hex(randomblob(8)) FROM `published_products` WHERE true
  ON CONFLICT (`entry_id`) DO UPDATE SET `mark` = excluded.`mark`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_due_on_locale_update` AFTER UPDATE ON `locales`
BEGIN
  INSERT INTO `product_answers_due` (`entry_id`, `mark`) SELECT `entry_id`, hex(randomblob(8)) FROM `published_products` WHERE true
  ON CONFLICT (`entry_id`) DO UPDATE SET `mark` = excluded.`mark`;
END;
--> statement-breakpoint
CREATE TRIGGER `product_answers_due_on_locale_delete` AFTER DELETE ON `locales`
BEGIN
  INSERT INTO `product_answers_due` (`entry_id`, `mark`) SELECT `entry_id`, hex(randomblob(8)) FROM `published_products` WHERE true
  ON CONFLICT (`entry_id`) DO UPDATE SET `mark` = excluded.`mark`;
END;
--> statement-breakpoint
-- The live products of a database made before this migration: due (`unison migrate` builds them all;
-- otherwise each write request builds a batch).
INSERT INTO `product_answers_due` (`entry_id`, `mark`) SELECT `entry_id`, hex(randomblob(8)) FROM `published_products`;
