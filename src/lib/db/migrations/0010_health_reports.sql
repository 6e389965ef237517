CREATE TABLE `health_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`status` text NOT NULL,
	`summary` text,
	`findings` text,
	`recommendations` text,
	`figures` text,
	`raw_answer` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `health_reports_by_execution` ON `health_reports` (`execution_id`);--> statement-breakpoint
CREATE INDEX `health_reports_recent` ON `health_reports` (`created_at`);--> statement-breakpoint
ALTER TABLE `executions` ADD `structured_output` text;