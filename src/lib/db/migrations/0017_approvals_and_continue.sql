CREATE TABLE `approvals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`execution_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`tool_use_id` text NOT NULL,
	`tool_name` text NOT NULL,
	`input` text NOT NULL,
	`input_hash` text NOT NULL,
	`title` text,
	`reason` text,
	`suggestions` text DEFAULT '[]' NOT NULL,
	`requested_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`on_timeout` text NOT NULL,
	`status` text NOT NULL,
	`decision` text,
	`decided_at` integer,
	`decided_via` text,
	`decided_channel` text,
	`message` text,
	`updated_input` text,
	`remembered_rules` text DEFAULT '[]' NOT NULL,
	`consumed_at` integer,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agent_configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `approvals_by_execution` ON `approvals` (`execution_id`);--> statement-breakpoint
CREATE INDEX `approvals_by_status` ON `approvals` (`status`);--> statement-breakpoint
CREATE INDEX `approvals_pending` ON `approvals` (`expires_at`) WHERE "approvals"."status" = 'pending';--> statement-breakpoint
CREATE TABLE `session_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`subpath` text DEFAULT '' NOT NULL,
	`uuid` text,
	`entry` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `session_entries_by_session` ON `session_entries` (`session_id`,`subpath`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `session_entries_unique_uuid` ON `session_entries` (`session_id`,`subpath`,`uuid`) WHERE "session_entries"."uuid" is not null;--> statement-breakpoint
DROP INDEX `executions_active_by_schedule`;--> statement-breakpoint
ALTER TABLE `executions` ADD `parent_execution_id` integer REFERENCES executions(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `executions` ADD `forked` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `limits` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `denied_tool_calls` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `denials` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `warnings` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `executions_by_parent` ON `executions` (`parent_execution_id`);--> statement-breakpoint
CREATE INDEX `executions_active_by_schedule` ON `executions` (`schedule_id`) WHERE "executions"."status" in ('queued', 'running', 'awaiting_approval');--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `denied_tools` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `remembered_tools` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `additional_directories` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `unlisted_tools` text DEFAULT 'deny' NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `approval_timeout_minutes` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_configurations` ADD `on_approval_timeout` text DEFAULT 'deny' NOT NULL;--> statement-breakpoint
ALTER TABLE `schedules` ADD `approval_timeout_minutes` integer;