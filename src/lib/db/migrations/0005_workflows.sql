CREATE TABLE `workflow_run_steps` (
	`run_id` integer NOT NULL,
	`step_key` text NOT NULL,
	`status` text NOT NULL,
	`execution_id` integer,
	`reason` text,
	`result_text` text,
	`output` text,
	`missing_values` text DEFAULT '[]' NOT NULL,
	`spend_micros` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	PRIMARY KEY(`run_id`, `step_key`),
	FOREIGN KEY (`run_id`) REFERENCES `workflow_runs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workflow_run_steps_by_execution` ON `workflow_run_steps` (`execution_id`);--> statement-breakpoint
CREATE TABLE `workflow_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workflow_id` integer NOT NULL,
	`workflow_version` integer NOT NULL,
	`status` text NOT NULL,
	`stopping` text,
	`trigger` text NOT NULL,
	`schedule_id` integer,
	`input` text NOT NULL,
	`spend_micros` integer DEFAULT 0 NOT NULL,
	`budget_micros` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`error` text,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`workflow_id`,`workflow_version`) REFERENCES `workflow_versions`(`workflow_id`,`version`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workflow_runs_by_workflow_recent` ON `workflow_runs` (`workflow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `workflow_runs_by_status` ON `workflow_runs` (`status`);--> statement-breakpoint
CREATE TABLE `workflow_versions` (
	`workflow_id` integer NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workflow_id`, `version`),
	FOREIGN KEY (`workflow_id`) REFERENCES `workflows`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workflows_live_name_unique` ON `workflows` (`name`) WHERE "workflows"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE `executions` ADD `workflow_run_id` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `workflow_step_key` text;