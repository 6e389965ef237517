import { json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Health of the agent runtime: the circuit breaker and how many runs are under way or waiting. */
export const GET = route({}, () => {
  const { engine } = requireRuntime();
  return json({ circuitBreaker: engine.circuit(), activeExecutions: engine.activeCount });
});
