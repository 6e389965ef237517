PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_host_rollups` (
	`host` text DEFAULT '' NOT NULL,
	`tier` text NOT NULL,
	`t` integer NOT NULL,
	`values` blob NOT NULL,
	PRIMARY KEY(`host`, `tier`, `t`)
);
--> statement-breakpoint
INSERT INTO `__new_host_rollups`("tier", "t", "values") SELECT "tier", "t", "values" FROM `host_rollups`;--> statement-breakpoint
DROP TABLE `host_rollups`;--> statement-breakpoint
ALTER TABLE `__new_host_rollups` RENAME TO `host_rollups`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_host_samples` (
	`host` text DEFAULT '' NOT NULL,
	`t` integer NOT NULL,
	`values` blob NOT NULL,
	PRIMARY KEY(`host`, `t`)
);
--> statement-breakpoint
INSERT INTO `__new_host_samples`("t", "values") SELECT "t", "values" FROM `host_samples`;--> statement-breakpoint
DROP TABLE `host_samples`;--> statement-breakpoint
ALTER TABLE `__new_host_samples` RENAME TO `host_samples`;--> statement-breakpoint
CREATE TABLE `__new_metric_rollup_progress` (
	`host` text DEFAULT '' NOT NULL,
	`tier` text NOT NULL,
	`rolled_through` integer NOT NULL,
	PRIMARY KEY(`host`, `tier`)
);
--> statement-breakpoint
INSERT INTO `__new_metric_rollup_progress`("tier", "rolled_through") SELECT "tier", "rolled_through" FROM `metric_rollup_progress`;--> statement-breakpoint
DROP TABLE `metric_rollup_progress`;--> statement-breakpoint
ALTER TABLE `__new_metric_rollup_progress` RENAME TO `metric_rollup_progress`;