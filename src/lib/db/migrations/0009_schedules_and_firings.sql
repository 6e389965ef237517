CREATE TABLE `schedule_firings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`schedule_id` integer NOT NULL,
	`scheduled_for` integer,
	`fire_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`execution_id` integer,
	`reason` text NOT NULL,
	`slot_count` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schedule_firings_one_per_slot` ON `schedule_firings` (`schedule_id`,`scheduled_for`);--> statement-breakpoint
CREATE INDEX `schedule_firings_by_schedule_recent` ON `schedule_firings` (`schedule_id`,`id`);--> statement-breakpoint
DROP INDEX `schedules_due`;--> statement-breakpoint
ALTER TABLE `schedules` ADD `name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `overlap_policy` text DEFAULT 'skip' NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `catch_up` text DEFAULT 'skip' NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `catch_up_window_seconds` integer DEFAULT 3600 NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `jitter_seconds` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `next_fire_at` integer;--> statement-breakpoint
ALTER TABLE `schedules` ADD `deleted_at` integer;--> statement-breakpoint
CREATE INDEX `schedules_due` ON `schedules` (`enabled`,`deleted_at`,`next_fire_at`);--> statement-breakpoint
ALTER TABLE `schedules` DROP COLUMN `last_run_at`;--> statement-breakpoint
CREATE INDEX `executions_active_by_schedule` ON `executions` (`schedule_id`) WHERE "executions"."status" in ('queued', 'running');