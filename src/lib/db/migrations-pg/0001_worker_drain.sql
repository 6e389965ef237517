ALTER TABLE "executions" ADD COLUMN "handed_back" jsonb;--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "draining_since" bigint;