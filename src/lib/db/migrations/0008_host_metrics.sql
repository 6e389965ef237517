CREATE TABLE `host_rollups` (
	`tier` text NOT NULL,
	`t` integer NOT NULL,
	`values` blob NOT NULL,
	PRIMARY KEY(`tier`, `t`)
);
--> statement-breakpoint
CREATE TABLE `host_samples` (
	`t` integer PRIMARY KEY NOT NULL,
	`values` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metric_rollup_progress` (
	`tier` text PRIMARY KEY NOT NULL,
	`rolled_through` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metric_series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`metric` text NOT NULL,
	`entity` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_series_by_metric_entity` ON `metric_series` (`metric`,`entity`);--> statement-breakpoint
CREATE TABLE `execution_resource_samples` (
	`execution_id` integer NOT NULL,
	`t` integer NOT NULL,
	`cpu_percent` real NOT NULL,
	`rss_bytes` integer NOT NULL,
	`process_count` integer NOT NULL,
	PRIMARY KEY(`execution_id`, `t`),
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP TABLE `system_metrics`;--> statement-breakpoint
ALTER TABLE `executions` ADD `peak_rss_bytes` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `cpu_seconds` real;--> statement-breakpoint
ALTER TABLE `executions` ADD `peak_process_count` integer;