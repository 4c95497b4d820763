CREATE TABLE `delivery_options` (
	`key` text PRIMARY KEY NOT NULL,
	`document` text NOT NULL,
	`position` integer NOT NULL,
	`enabled` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_option` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_name` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_price` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_min_days` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `delivery_max_days` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `shipping_address` text;
