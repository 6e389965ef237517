DROP INDEX `workflow_runs_by_workflow_recent`;--> statement-breakpoint
CREATE INDEX `workflow_runs_by_workflow_recent` ON `workflow_runs` (`workflow_id`,`id`);