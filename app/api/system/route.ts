import { systemResponseSchema } from '@/lib/contracts/system';
import { json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Health of the agent runtime: the circuit breaker, how many runs are under way or waiting, and
 * the data directory's storage (free space, and whether writes work), the database's size and what
 * output retention keeps and frees.
 */
export const GET = route(
  { doc: { summary: 'Health of the agent runtime and storage', response: systemResponseSchema } },
  async () => {
    const { engine, backend } = requireRuntime();
    return json({
      circuitBreaker: engine.circuit(),
      activeExecutions: engine.activeCount,
      storage: backend.storage.check(),
      database: await backend.retention.usage(),
    });
  },
);
