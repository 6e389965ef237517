CREATE TABLE `executions_fts_watermark` (
	`id` integer PRIMARY KEY NOT NULL,
	`indexed_through` integer NOT NULL
);
--> statement-breakpoint
-- Every run that exists now is indexed (the insert trigger kept them in); later ones are indexed in
-- batches by indexNewRuns (db/queries/runSearchIndex.ts).
INSERT INTO `executions_fts_watermark` (`id`, `indexed_through`) SELECT 1, coalesce(max(`id`), 0) FROM `executions`;--> statement-breakpoint
DROP TRIGGER `executions_fts_insert`;--> statement-breakpoint
-- A run past the watermark is not in the index yet: there is nothing to take out, and its current
-- text goes in with its batch. (An FTS5 'delete' of a row never indexed corrupts the index.)
DROP TRIGGER `executions_fts_delete`;--> statement-breakpoint
CREATE TRIGGER `executions_fts_delete` AFTER DELETE ON `executions`
WHEN old.id <= (SELECT `indexed_through` FROM `executions_fts_watermark`) BEGIN
  INSERT INTO executions_fts(executions_fts, rowid, prompt, result_text) VALUES ('delete', old.id, old.prompt, old.result_text);
END;--> statement-breakpoint
DROP TRIGGER `executions_fts_update`;--> statement-breakpoint
CREATE TRIGGER `executions_fts_update` AFTER UPDATE OF prompt, result_text ON `executions`
WHEN old.id <= (SELECT `indexed_through` FROM `executions_fts_watermark`) BEGIN
  INSERT INTO executions_fts(executions_fts, rowid, prompt, result_text) VALUES ('delete', old.id, old.prompt, old.result_text);
  INSERT INTO executions_fts(rowid, prompt, result_text) VALUES (new.id, new.prompt, new.result_text);
END;
