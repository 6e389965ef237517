CREATE TABLE `daily_cost_summaries` (
	`day` text NOT NULL,
	`agent_id` integer NOT NULL,
	`model` text NOT NULL,
	`execution_count` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `daily_cost_summaries_by_day_agent_model` ON `daily_cost_summaries` (`day`,`agent_id`,`model`);--> statement-breakpoint
CREATE TABLE `execution_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`error_code` text,
	`error_message` text,
	`api_retry_count` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`retry_delay_ms` integer,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `execution_attempts_by_execution` ON `execution_attempts` (`execution_id`,`attempt`);--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `run_retries` integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `run_retry_delay_seconds` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `max_cost_per_run_micros` integer;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `monthly_budget_micros` integer;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `cost_source` text DEFAULT 'computed' NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `usage_source` text DEFAULT 'stream' NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `unpriced` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `cost_mismatch` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `response_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_tracking` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `cost_tracking` SET `updated_at` = `created_at`;--> statement-breakpoint
ALTER TABLE `executions` ADD `attempt` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `next_attempt_at` integer;--> statement-breakpoint
CREATE INDEX `executions_by_cost` ON `executions` (`cost_micros`);