-- Outbound webhook events come from the audit log: this trigger writes one
-- `webhook_events` row in the same transaction (D1: the same batch) as every
-- publish, unpublish, rollback and archive of a product, message or action, so
-- an event is never lost and never reported for a change that rolled back.
-- Only while an endpoint is enabled: with no subscriber nothing piles up.
-- drizzle-kit cannot express triggers, hence this custom migration. One
-- statement in the body and no CASE: D1's statement splitter keeps it whole.
CREATE TRIGGER IF NOT EXISTS `audit_log_webhook_events` AFTER INSERT ON `audit_log`
WHEN NEW.`entity_type` IN ('product', 'message', 'action')
  AND (NEW.`action` LIKE '%.publish' OR NEW.`action` LIKE '%.publish_forced' OR NEW.`action` LIKE '%.rollback'
    OR NEW.`action` LIKE '%.unpublish' OR NEW.`action` LIKE '%.archive')
  AND EXISTS (SELECT 1 FROM `webhook_endpoints` WHERE `enabled` = 1)
BEGIN
  INSERT INTO `webhook_events` (`audit_id`, `action`, `entity_type`, `entity_key`, `to_revision`, `to_version`, `key_id`, `at`)
  VALUES (NEW.`id`, NEW.`action`, NEW.`entity_type`, NEW.`entity_key`, NEW.`to_revision`, NEW.`to_version`, NEW.`key_id`, NEW.`at`);
END;
