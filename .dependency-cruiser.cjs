/** Dependency rules checked by `npm run lint`: the layering of STYLE.md, enforced. */
// scheduling/: all but the cron modules, which the schedule form shares with the API.
const SERVER_ONLY =
  '^src/lib/(db|engine|agents|claude|server|config|core/logger|live|http/route|http/errors|websocket/(server|broadcaster|messageHandler)|workflows/(runner|definitions|launcher)|notifications|metrics|health|storage|scheduling/(?!(cron|wallClock|zoneOffsets|validation)\\.ts$))';

/**
 * The layers of src/lib, lowest first: core and config (errors, logger, env) ← db ← claude ← engine
 * ← services. The edges (http, websocket, and server/: the process wiring) sit above all of them and
 * are only imported by app/ and server.ts.
 */
const SERVICES = 'src/lib/(agents|health|live|scheduling|metrics|notifications|storage|workflows)';
const EDGES = 'src/lib/(http|websocket|server)';

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
      name: 'domain-does-not-know-the-edges',
      severity: 'error',
      comment:
        'Domain code throws domain errors (src/lib/core/errors.ts); only the route wrapper and the WebSocket handler map them to HTTP or frames.',
      from: { path: `^(src/lib/(db|claude|engine)|${SERVICES})` },
      to: { path: `^${EDGES}` },
    },
    {
      name: 'websocket-does-not-use-http',
      severity: 'error',
      comment: 'The socket and the routes are two edges side by side; what they share lives below them.',
      from: { path: '^src/lib/websocket' },
      to: { path: '^src/lib/http' },
    },
    {
      name: 'claude-is-below-the-engine',
      severity: 'error',
      comment:
        'src/lib/claude adapts the SDK and prices usage; it must not call back into the engine or services, nor reach for query modules (shared types live in contracts).',
      from: { path: '^src/lib/claude' },
      to: { path: `^(src/lib/(engine|db/queries)|${SERVICES})` },
    },
    {
      name: 'engine-is-below-services',
      severity: 'error',
      comment:
        'Schedules, workflows, notifications and metrics drive the engine through its API and events, never the reverse.',
      from: { path: '^src/lib/engine' },
      to: { path: `^${SERVICES}` },
    },
    {
      name: 'db-is-the-bottom',
      severity: 'error',
      comment: 'Schema and queries depend on contracts only.',
      from: { path: '^src/lib/db' },
      to: { path: `^(src/lib/(claude|engine)|${SERVICES}|${EDGES})` },
    },
    {
      name: 'postgres-stays-in-db',
      severity: 'error',
      comment:
        'The Postgres schema (src/lib/db/schema-pg) and driver are db code: nothing above db imports them, nor the SQLite schema, which is the source the Postgres one follows (docs/scaling.md#postgres).',
      from: { pathNot: '^src/lib/db/(?!schema/)' },
      to: { path: '^(src/lib/db/schema-pg/|node_modules/pg/)' },
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
