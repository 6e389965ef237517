DROP INDEX `executions_by_agent_recent`;--> statement-breakpoint
DROP INDEX `executions_by_status_recent`;--> statement-breakpoint
CREATE INDEX `executions_by_agent` ON `executions` (`agent_id`);--> statement-breakpoint
CREATE INDEX `executions_by_status` ON `executions` (`status`);--> statement-breakpoint
CREATE INDEX `executions_by_trigger` ON `executions` (`trigger`);--> statement-breakpoint
CREATE INDEX `executions_by_schedule` ON `executions` (`schedule_id`);