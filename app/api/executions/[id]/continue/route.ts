import {
  continueExecutionSchema,
  continuePreviewResponseSchema,
  startedExecutionResponseSchema,
} from '@/lib/contracts/executions';
import { execute } from '@/lib/db/plan';
import { getStore } from '@/lib/db/store';
import { continuePreview, continueRequest } from '@/lib/engine/continuation';
import { idParam, json, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Before continuing: whether the run can be, its transcript's age against the cache, the first turn's cost. */
export const GET = route(
  {
    params: idParam,
    doc: {
      summary: "Preview a continue: the transcript's age and the first turn's cost",
      response: continuePreviewResponseSchema,
    },
  },
  async ({ params }) => json({ preview: await execute(getStore(), continuePreview(getStore(), params.id)) }),
);

/**
 * A new run on the same Claude session (`fork`: a new session starting from its history), with
 * its own steps, cost and budget check. 409 while the run is active or without a kept transcript.
 */
export const POST = route(
  {
    params: idParam,
    body: continueExecutionSchema,
    doc: {
      summary: 'Continue a run on its Claude session (or a fork of it)',
      status: 201,
      response: startedExecutionResponseSchema,
      errors: [409],
    },
  },
  async ({ params, body }) => {
    const request = await execute(getStore(), continueRequest(getStore(), params.id, body));
    return json({ execution: await requireRuntime().engine.start(request) }, 201);
  },
);
