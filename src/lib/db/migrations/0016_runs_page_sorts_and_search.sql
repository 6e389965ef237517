CREATE INDEX `executions_by_cost` ON `executions` (`cost_micros`);--> statement-breakpoint
CREATE INDEX `executions_by_duration` ON `executions` (coalesce("duration_ms", -1));--> statement-breakpoint
-- Full-text search over a run's prompt and result (the Runs page's search box). An external-content
-- FTS5 table: the text stays in `executions`, the index follows it through the triggers below.
CREATE VIRTUAL TABLE `executions_fts` USING fts5(prompt, result_text, content='executions', content_rowid='id');--> statement-breakpoint
CREATE TRIGGER `executions_fts_insert` AFTER INSERT ON `executions` BEGIN
  INSERT INTO executions_fts(rowid, prompt, result_text) VALUES (new.id, new.prompt, new.result_text);
END;--> statement-breakpoint
CREATE TRIGGER `executions_fts_delete` AFTER DELETE ON `executions` BEGIN
  INSERT INTO executions_fts(executions_fts, rowid, prompt, result_text) VALUES ('delete', old.id, old.prompt, old.result_text);
END;--> statement-breakpoint
-- Only when the searched text changes: progress updates write other columns many times a run.
CREATE TRIGGER `executions_fts_update` AFTER UPDATE OF prompt, result_text ON `executions` BEGIN
  INSERT INTO executions_fts(executions_fts, rowid, prompt, result_text) VALUES ('delete', old.id, old.prompt, old.result_text);
  INSERT INTO executions_fts(rowid, prompt, result_text) VALUES (new.id, new.prompt, new.result_text);
END;--> statement-breakpoint
INSERT INTO executions_fts(executions_fts) VALUES ('rebuild');
