ALTER TABLE `customers` ADD `name` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `name_key` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `email` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `updated_at` text;--> statement-breakpoint
CREATE INDEX `customers_email` ON `customers` (`email`);
