CREATE TABLE `worker_vitals` (
	`worker_id` text NOT NULL,
	`t` integer NOT NULL,
	`cpu_busy` real,
	`cores` integer NOT NULL,
	`load1` real NOT NULL,
	`memory_used_bytes` integer NOT NULL,
	`memory_total_bytes` integer NOT NULL,
	`disk_available_bytes` integer,
	`disk_size_bytes` integer,
	`disk_used_bytes` integer,
	PRIMARY KEY(`worker_id`, `t`),
	FOREIGN KEY (`worker_id`) REFERENCES `workers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `worker_vitals_by_time` ON `worker_vitals` (`t`);