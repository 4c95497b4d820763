CREATE TABLE `sms_consent` (
	`phone` text PRIMARY KEY NOT NULL,
	`opted_out` integer NOT NULL,
	`updated_at` text NOT NULL
);
