-- drizzle-kit 0.31 splits an index expression at its commas; the CREATE INDEX below is corrected by hand.
DROP INDEX `executions_by_cost`;--> statement-breakpoint
CREATE INDEX `executions_by_month_cost` ON `executions` (strftime('%Y-%m', "created_at" / 1000, 'unixepoch'),`cost_micros`);
