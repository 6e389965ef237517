ALTER TABLE `executions` ADD `output_pruned_at` integer;--> statement-breakpoint
CREATE INDEX `executions_output_to_prune` ON `executions` (`finished_at`) WHERE "executions"."output_pruned_at" is null and "executions"."finished_at" is not null;--> statement-breakpoint
-- The application settings move from one JSON object (key 'app') to one row per setting
-- ('app.<field>'), so a bad or half-written value spoils that setting alone. An 'app' row that is
-- not valid JSON is left as it was, unread.
INSERT OR IGNORE INTO `app_settings` (`key`, `value`, `updated_at`)
SELECT 'app.' || `field`.`key`, json_quote(`field`.`value`), `app`.`updated_at`
FROM `app_settings` AS `app`, json_each(`app`.`value`) AS `field`
WHERE `app`.`key` = 'app' AND json_valid(`app`.`value`) AND json_type(`app`.`value`) = 'object';--> statement-breakpoint
DELETE FROM `app_settings` WHERE `key` = 'app' AND json_valid(`value`) AND json_type(`value`) = 'object';
