import { costExportQuerySchema } from '@/lib/contracts/costs';
import { costExportPages } from '@/lib/db/queries/costReports';
import { getStore } from '@/lib/db/store';
import { csvChunks, jsonChunks } from '@/lib/export/costExport';
import { route } from '@/lib/http/route';
import { streamOf } from '@/lib/http/streamBody';

export const dynamic = 'force-dynamic';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

export const GET = route(
  {
    query: costExportQuerySchema,
    doc: {
      summary: 'Executions with their costs by model over a range of UTC days, as CSV or JSON',
      stream: { contentType: 'text/csv or application/json', description: 'A file download, streamed' },
    },
  },
  ({ query }) => {
    const pages = costExportPages(getStore(), query);
    const chunks = query.format === 'csv' ? csvChunks(pages) : jsonChunks(query, pages);
    return new Response(streamOf(chunks), {
      headers: {
        'content-type': CONTENT_TYPES[query.format],
        // The dates are validated YYYY-MM-DD: nothing in the name needs quoting.
        'content-disposition': `attachment; filename="claudeops-costs-${query.from}-${query.to}.${query.format}"`,
        'cache-control': 'no-store',
      },
    });
  },
);
