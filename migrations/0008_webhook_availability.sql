ALTER TABLE `webhook_events` ADD `detail` text;--> statement-breakpoint
-- A product's availability changing (a stock move, an order) is an event too:
-- written in the transaction of the write that changed it, only when it really
-- changed and only while an endpoint is enabled. Publishing replaces the row
-- (delete + insert) and is reported by the audit-log trigger instead. Added by
-- hand to drizzle-kit's migration: it cannot express triggers. One statement in
-- the body and no CASE, for D1's statement splitter.
CREATE TRIGGER IF NOT EXISTS `published_products_webhook_events` AFTER UPDATE OF `availability` ON `published_products`
WHEN OLD.`availability` IS NOT NEW.`availability`
  AND EXISTS (SELECT 1 FROM `webhook_endpoints` WHERE `enabled` = 1)
BEGIN
  INSERT INTO `webhook_events` (`audit_id`, `action`, `entity_type`, `entity_key`, `at`, `detail`)
  VALUES ('avl_' || lower(hex(randomblob(12))), 'product.availability', 'product', NEW.`slug`,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), json_object('from', OLD.`availability`, 'to', NEW.`availability`));
END;
