CREATE TABLE `acp_checkout_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`api_key_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`locale` text NOT NULL,
	`buyer` text,
	`fulfillment_details` text,
	`fulfillment_option_id` text,
	`order_id` text,
	`payment` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `acp_checkout_sessions_customer` ON `acp_checkout_sessions` (`customer_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `acp_checkout_sessions_order` ON `acp_checkout_sessions` (`order_id`);--> statement-breakpoint
-- ACP order events (order_create / order_update) for orders placed through a
-- checkout session: written by triggers in the transaction of the change they
-- report (the session completing, the order's status moving), only while an
-- endpoint is enabled; the webhook dispatcher turns them into Standard Webhooks
-- deliveries. Added by hand: drizzle-kit cannot express triggers. One statement
-- in each body and no CASE, for D1's statement splitter.
CREATE TRIGGER IF NOT EXISTS `acp_checkout_sessions_order_create` AFTER UPDATE OF `order_id` ON `acp_checkout_sessions`
WHEN OLD.`order_id` IS NULL AND NEW.`order_id` IS NOT NULL
  AND EXISTS (SELECT 1 FROM `webhook_endpoints` WHERE `enabled` = 1)
BEGIN
  INSERT INTO `webhook_events` (`audit_id`, `action`, `entity_type`, `entity_key`, `at`, `detail`)
  VALUES ('acp_' || lower(hex(randomblob(12))), 'acp.order_create', 'acp_order', NEW.`order_id`,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), json_object('session', NEW.`id`, 'status', 'placed'));
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `orders_acp_order_update` AFTER UPDATE OF `status` ON `orders`
WHEN OLD.`status` IS NOT NEW.`status`
  AND EXISTS (SELECT 1 FROM `acp_checkout_sessions` WHERE `order_id` = NEW.`id`)
  AND EXISTS (SELECT 1 FROM `webhook_endpoints` WHERE `enabled` = 1)
BEGIN
  INSERT INTO `webhook_events` (`audit_id`, `action`, `entity_type`, `entity_key`, `at`, `detail`)
  VALUES ('acp_' || lower(hex(randomblob(12))), 'acp.order_update', 'acp_order', NEW.`id`,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    json_object('session', (SELECT `id` FROM `acp_checkout_sessions` WHERE `order_id` = NEW.`id`), 'status', NEW.`status`));
END;
