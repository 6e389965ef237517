-- Rows from before carry the host '' until the first collector takes them (adoptUnnamedHostRows).
ALTER TABLE "host_rollups" ADD COLUMN "host" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "host_samples" ADD COLUMN "host" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_rollup_progress" ADD COLUMN "host" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "host_rollups" DROP CONSTRAINT "host_rollups_tier_t_pk";--> statement-breakpoint
ALTER TABLE "host_samples" DROP CONSTRAINT "host_samples_pkey";--> statement-breakpoint
ALTER TABLE "host_samples" ALTER COLUMN "t" DROP IDENTITY;--> statement-breakpoint
ALTER TABLE "metric_rollup_progress" DROP CONSTRAINT "metric_rollup_progress_pkey";--> statement-breakpoint
ALTER TABLE "host_rollups" ADD CONSTRAINT "host_rollups_host_tier_t_pk" PRIMARY KEY("host","tier","t");--> statement-breakpoint
ALTER TABLE "host_samples" ADD CONSTRAINT "host_samples_host_t_pk" PRIMARY KEY("host","t");--> statement-breakpoint
ALTER TABLE "metric_rollup_progress" ADD CONSTRAINT "metric_rollup_progress_host_tier_pk" PRIMARY KEY("host","tier");
