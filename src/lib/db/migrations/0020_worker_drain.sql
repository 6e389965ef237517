ALTER TABLE `executions` ADD `handed_back` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `draining_since` integer;