ALTER TABLE `schedule_firings` ADD `workflow_run_id` integer REFERENCES workflow_runs(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `schedules` ADD `workflow_id` integer;--> statement-breakpoint
ALTER TABLE `schedules` ADD `workflow_input` text;--> statement-breakpoint
CREATE INDEX `schedules_by_workflow` ON `schedules` (`workflow_id`);--> statement-breakpoint
CREATE INDEX `workflow_runs_active_by_schedule` ON `workflow_runs` (`schedule_id`) WHERE "workflow_runs"."status" in ('queued', 'running');