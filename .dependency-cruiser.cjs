/** Dependency rules checked by `npm run lint`: the layering of STYLE.md, enforced. */
// scheduling/: all but the cron modules, which the schedule form shares with the API.
const SERVER_ONLY =
  '^src/lib/(db|services|claude|runtime|env|logger|http/route|http/errors|websocket/(server|broadcaster|messageHandler)|scheduling/(?!(cron|wallClock|zoneOffsets|validation)\\.ts$))';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make module load order (and globalThis singletons) fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'client-code-stays-client',
      severity: 'error',
      comment:
        'Components, hooks and contexts run in the browser: they may use contracts and the WS protocol, never server modules.',
      from: { path: '^src/(components|hooks|contexts)' },
      to: { path: SERVER_ONLY },
    },
    {
      name: 'lib-does-not-reach-up',
      severity: 'error',
      comment: 'Dependencies point one way: app and server.ts → lib, never back.',
      from: { path: '^src/(lib|agents)' },
      to: { path: '^(app|src/components|src/hooks|src/contexts|server\\.ts)' },
    },
    {
      name: 'contracts-are-pure',
      severity: 'error',
      comment: 'Contracts are imported by the browser: only zod and other contracts.',
      from: { path: '^src/lib/(contracts|websocket/protocol)' },
      to: { path: '^(src|node_modules)/', pathNot: '^(src/lib/contracts|node_modules/zod)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
