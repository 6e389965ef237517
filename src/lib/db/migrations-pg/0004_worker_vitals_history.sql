CREATE TABLE "worker_vitals" (
	"worker_id" text NOT NULL,
	"t" bigint NOT NULL,
	"cpu_busy" double precision,
	"cores" bigint NOT NULL,
	"load1" double precision NOT NULL,
	"memory_used_bytes" bigint NOT NULL,
	"memory_total_bytes" bigint NOT NULL,
	"disk_available_bytes" bigint,
	"disk_size_bytes" bigint,
	"disk_used_bytes" bigint,
	CONSTRAINT "worker_vitals_worker_id_t_pk" PRIMARY KEY("worker_id","t")
);
--> statement-breakpoint
ALTER TABLE "worker_vitals" ADD CONSTRAINT "worker_vitals_worker_id_workers_id_fk" FOREIGN KEY ("worker_id") REFERENCES "public"."workers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "worker_vitals_by_time" ON "worker_vitals" USING btree ("t");