// The Postgres schema: every table of ../schema (the SQLite one, the default store) under the same
// export name, table and column names, with the same row types ($inferSelect, $inferInsert), so one
// query layer can serve both. tests/unit/schemaParity.test.ts holds the two together. Row types
// are imported from ../schema, never from here. Migrations: ../migrations-pg (drizzle.pg.config.ts).
export * from './agents';
export * from './approvals';
export * from './costs';
export * from './executions';
export * from './healthReports';
export * from './metrics';
export * from './notifications';
export * from './runResources';
export * from './scheduleFirings';
export * from './schedules';
export * from './sessions';
export * from './settings';
export * from './steps';
export * from './workers';
export * from './workflows';
