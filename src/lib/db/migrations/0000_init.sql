CREATE TABLE `agent_configurations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`model` text NOT NULL,
	`system_prompt` text DEFAULT '' NOT NULL,
	`default_prompt` text NOT NULL,
	`allowed_tools` text DEFAULT '[]' NOT NULL,
	`working_directory` text,
	`max_turns` integer DEFAULT 10 NOT NULL,
	`timeout_seconds` integer DEFAULT 600 NOT NULL,
	`builtin_key` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_configurations_live_name_unique` ON `agent_configurations` (`name`) WHERE "agent_configurations"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX `agent_configurations_builtin_key_unique` ON `agent_configurations` (`builtin_key`);--> statement-breakpoint
CREATE TABLE `cost_tracking` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`model` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_5m_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_1h_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`reported_cost_micros` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cost_tracking_by_execution_model` ON `cost_tracking` (`execution_id`,`model`);--> statement-breakpoint
CREATE INDEX `cost_tracking_recent` ON `cost_tracking` (`created_at`);--> statement-breakpoint
CREATE TABLE `monthly_cost_summaries` (
	`month` text NOT NULL,
	`agent_id` integer NOT NULL,
	`model` text NOT NULL,
	`execution_count` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `monthly_cost_summaries_by_month_agent_model` ON `monthly_cost_summaries` (`month`,`agent_id`,`model`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agent_id` integer NOT NULL,
	`schedule_id` integer,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`prompt` text NOT NULL,
	`model` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`duration_ms` integer,
	`num_turns` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`reported_cost_micros` integer DEFAULT 0 NOT NULL,
	`result_text` text,
	`error_code` text,
	`error_message` text,
	`session_id` text,
	`api_key_source` text,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`last_activity_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `executions_by_agent_recent` ON `executions` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_by_status_recent` ON `executions` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_recent` ON `executions` (`created_at`);--> statement-breakpoint
CREATE TABLE `system_metrics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recorded_at` integer NOT NULL,
	`cpu_percent` real NOT NULL,
	`load_1` real NOT NULL,
	`load_5` real NOT NULL,
	`load_15` real NOT NULL,
	`memory_used_bytes` integer NOT NULL,
	`memory_total_bytes` integer NOT NULL,
	`disk_used_bytes` integer NOT NULL,
	`disk_total_bytes` integer NOT NULL,
	`network_rx_bytes` integer NOT NULL,
	`network_tx_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `system_metrics_recent` ON `system_metrics` (`recorded_at`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agent_id` integer NOT NULL,
	`cron_expression` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`prompt` text,
	`enabled` integer DEFAULT true NOT NULL,
	`next_run_at` integer,
	`last_run_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `schedules_due` ON `schedules` (`enabled`,`next_run_at`);--> statement-breakpoint
CREATE INDEX `schedules_by_agent` ON `schedules` (`agent_id`);--> statement-breakpoint
CREATE TABLE `app_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `execution_logs` (
	`execution_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`level` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`execution_id`, `seq`),
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `execution_steps` (
	`execution_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`summary` text NOT NULL,
	`tool_name` text,
	`tool_use_id` text,
	`is_error` integer DEFAULT false NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`execution_id`, `seq`),
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `execution_steps_by_tool_use` ON `execution_steps` (`execution_id`,`tool_use_id`);