ALTER TABLE `agent_configurations` ADD `api_max_retries` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `api_retry_count` integer DEFAULT 0 NOT NULL;