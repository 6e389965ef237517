import { executionLogsQuerySchema, logLinesResponseSchema } from '@/lib/contracts/executions';
import { notFound } from '@/lib/core/errors';
import { execute } from '@/lib/db/plan';
import { getExecutionLogs, getExecutionLogsBefore, getExecutionSummary } from '@/lib/db/queries/executions';
import { getStore, type Store } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { streamOf } from '@/lib/http/streamBody';

export const dynamic = 'force-dynamic';

/** Lines read per page of a download: one short read at a time, never the whole log in memory. */
const DOWNLOAD_PAGE_LINES = 5_000;

/** The whole log, a line per line, read page by page as the client takes it. */
async function* logText(store: Store, executionId: number): AsyncGenerator<string> {
  let afterSeq = 0;
  for (;;) {
    const lines = await execute(store, getExecutionLogs(store, executionId, afterSeq, DOWNLOAD_PAGE_LINES));
    if (lines.length === 0) return;
    yield `${lines.map((line) => line.text).join('\n')}\n`;
    afterSeq = lines.at(-1)?.seq ?? afterSeq;
  }
}

/**
 * Pages backwards through a long log (the newest `limit` lines before `beforeSeq`, oldest first),
 * or downloads it whole with `format=text`.
 */
export const GET = route(
  {
    params: idParam,
    query: executionLogsQuerySchema,
    doc: {
      summary: 'A page of log lines, oldest first; with format=text, the whole log as a text file',
      response: logLinesResponseSchema,
    },
  },
  async ({ params, query }) => {
    const store = getStore();
    if (!(await execute(store, getExecutionSummary(store, params.id)))) throw notFound('Execution');
    if (query.format === 'text') {
      return new Response(streamOf(logText(store, params.id)), {
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'content-disposition': `attachment; filename="claudeops-run-${params.id}.log"`,
          'cache-control': 'no-store',
        },
      });
    }
    const beforeSeq = query.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    return json({
      items: await execute(store, getExecutionLogsBefore(store, params.id, beforeSeq, query.limit)),
    });
  },
);
