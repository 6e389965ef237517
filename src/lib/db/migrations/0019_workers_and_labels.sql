CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`labels` text NOT NULL,
	`version` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_beat_at` integer NOT NULL,
	`stopped_at` integer
);
--> statement-breakpoint
CREATE INDEX `workers_recent` ON `workers` (`started_at`);--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `required_labels` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `worker_id` text;--> statement-breakpoint
CREATE INDEX `executions_running_by_worker` ON `executions` (`worker_id`) WHERE "executions"."status" = 'running';