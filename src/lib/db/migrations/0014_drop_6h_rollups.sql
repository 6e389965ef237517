-- The 6-hour tier gave way to a daily one (built from the 1-hour rows on the next rollup); nothing reads or prunes 6-hour rows any more.
DELETE FROM `host_rollups` WHERE `tier` = '6h';--> statement-breakpoint
DELETE FROM `metric_rollup_progress` WHERE `tier` = '6h';
