CREATE TABLE `reply_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` text,
	`lease_until` text,
	`last_status` integer,
	`last_error` text,
	`created_at` text NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reply_outbox_key` ON `reply_outbox` (`key`);--> statement-breakpoint
CREATE INDEX `reply_outbox_due` ON `reply_outbox` (`status`,`next_attempt_at`);