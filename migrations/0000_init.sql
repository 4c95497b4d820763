CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`start` text NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`key_id` text,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_key` text NOT NULL,
	`from_version` integer,
	`to_version` integer,
	`from_revision` integer,
	`to_revision` integer,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity` ON `audit_log` (`entity_type`,`entity_key`,`at`);--> statement-breakpoint
CREATE TABLE `entries` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`key` text NOT NULL,
	`status` text NOT NULL,
	`draft` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`write_token` text NOT NULL,
	`published_revision_id` text,
	`last_revision_number` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entries_type_key` ON `entries` (`type`,`key`);--> statement-breakpoint
CREATE INDEX `entries_type_status` ON `entries` (`type`,`status`,`key`);--> statement-breakpoint
CREATE TABLE `inventory` (
	`sku` text PRIMARY KEY NOT NULL,
	`entry_id` text NOT NULL,
	`stock` integer NOT NULL,
	`listed` integer DEFAULT false NOT NULL,
	`low_stock_threshold` integer DEFAULT 5 NOT NULL,
	`backorder` text DEFAULT 'deny' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "inventory_stock_non_negative" CHECK("inventory"."stock" >= 0)
);
--> statement-breakpoint
CREATE INDEX `inventory_entry` ON `inventory` (`entry_id`);--> statement-breakpoint
CREATE TABLE `locales` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`fallback` text,
	`is_default` integer DEFAULT false NOT NULL,
	`currency` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `published_actions` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`revision_id` text NOT NULL,
	`published_at` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revision_id`) REFERENCES `revisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `published_actions_key` ON `published_actions` (`key`);--> statement-breakpoint
CREATE TABLE `published_messages` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`revision_id` text NOT NULL,
	`starts_at` text,
	`ends_at` text,
	`published_at` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revision_id`) REFERENCES `revisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `published_messages_key` ON `published_messages` (`key`);--> statement-breakpoint
CREATE INDEX `published_messages_kind` ON `published_messages` (`kind`,`key`);--> statement-breakpoint
CREATE TABLE `published_product_categories` (
	`category` text NOT NULL,
	`slug` text NOT NULL,
	`entry_id` text NOT NULL,
	PRIMARY KEY(`category`, `slug`),
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `published_product_categories_entry` ON `published_product_categories` (`entry_id`);--> statement-breakpoint
CREATE TABLE `published_products` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`revision_id` text NOT NULL,
	`availability` text NOT NULL,
	`published_at` text NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revision_id`) REFERENCES `revisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `published_products_slug` ON `published_products` (`slug`);--> statement-breakpoint
CREATE INDEX `published_products_availability` ON `published_products` (`availability`,`slug`);--> statement-breakpoint
CREATE TABLE `revisions` (
	`id` text PRIMARY KEY NOT NULL,
	`entry_id` text NOT NULL,
	`number` integer NOT NULL,
	`document` text NOT NULL,
	`note` text,
	`restored_from` integer,
	`created_at` text NOT NULL,
	`created_by` text,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revisions_entry_number` ON `revisions` (`entry_id`,`number`);--> statement-breakpoint
CREATE TABLE `write_guards` (
	`token` text PRIMARY KEY NOT NULL,
	`ok` integer NOT NULL,
	CONSTRAINT "write_guards_ok" CHECK("write_guards"."ok" = 1)
);
