CREATE TABLE `nps_answers` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`channel` text NOT NULL,
	`score` integer NOT NULL,
	`comment` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "nps_answers_score" CHECK("nps_answers"."score" BETWEEN 0 AND 10)
);
--> statement-breakpoint
CREATE INDEX `nps_answers_channel` ON `nps_answers` (`channel`,`created_at`);