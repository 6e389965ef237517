ALTER TABLE `schedule_firings` ADD `workflow_run_id` integer REFERENCES workflow_runs(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `schedules` ADD `workflow_id` integer;--> statement-breakpoint
ALTER TABLE `schedules` ADD `workflow_input` text;--> statement-breakpoint
CREATE INDEX `schedules_by_workflow` ON `schedules` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `workflow_runs_active_by_schedule` ON `workflow_runs` (`schedule_id`) WHERE "workflow_runs"."status" in ('queued', 'running');--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agent_id` integer,
	`workflow_id` integer,
	`workflow_input` text,
	`name` text DEFAULT '' NOT NULL,
	`cron_expression` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`prompt` text,
	`enabled` integer DEFAULT true NOT NULL,
	`overlap_policy` text DEFAULT 'skip' NOT NULL,
	`catch_up` text DEFAULT 'skip' NOT NULL,
	`catch_up_window_seconds` integer DEFAULT 3600 NOT NULL,
	`jitter_seconds` integer DEFAULT 0 NOT NULL,
	`next_run_at` integer,
	`next_fire_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "schedules_one_target" CHECK((agent_id is null) <> (workflow_id is null))
);
--> statement-breakpoint
INSERT INTO `__new_schedules`("id", "agent_id", "workflow_id", "workflow_input", "name", "cron_expression", "timezone", "prompt", "enabled", "overlap_policy", "catch_up", "catch_up_window_seconds", "jitter_seconds", "next_run_at", "next_fire_at", "created_at", "updated_at", "deleted_at") SELECT "id", "agent_id", "workflow_id", "workflow_input", "name", "cron_expression", "timezone", "prompt", "enabled", "overlap_policy", "catch_up", "catch_up_window_seconds", "jitter_seconds", "next_run_at", "next_fire_at", "created_at", "updated_at", "deleted_at" FROM `schedules`;--> statement-breakpoint
DROP TABLE `schedules`;--> statement-breakpoint
ALTER TABLE `__new_schedules` RENAME TO `schedules`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `schedules_due` ON `schedules` (`enabled`,`deleted_at`,`next_fire_at`);--> statement-breakpoint
CREATE INDEX `schedules_by_agent` ON `schedules` (`agent_id`);--> statement-breakpoint
CREATE INDEX `schedules_by_workflow` ON `schedules` (`workflow_id`);