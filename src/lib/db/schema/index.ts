export * from './agents';
export * from './costs';
export * from './executions';
export * from './metrics';
export * from './scheduleFirings';
export * from './schedules';
export * from './settings';
export * from './steps';
