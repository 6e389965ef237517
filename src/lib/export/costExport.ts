import type { CostExportQuery, CostExportRow } from '@/lib/contracts/costs';
import { type CsvCell, csvLine } from './csv';

const usd = (value: number) => value.toFixed(6);

const CSV_COLUMNS: readonly [string, (row: CostExportRow) => CsvCell][] = [
  ['execution_id', (row) => row.executionId],
  ['agent_id', (row) => row.agentId],
  ['agent_name', (row) => row.agentName],
  ['status', (row) => row.status],
  ['created_at', (row) => row.createdAt],
  ['model', (row) => row.model],
  ['input_tokens', (row) => row.inputTokens],
  ['output_tokens', (row) => row.outputTokens],
  ['cache_creation_5m_tokens', (row) => row.cacheCreation5mTokens],
  ['cache_creation_1h_tokens', (row) => row.cacheCreation1hTokens],
  ['cache_read_tokens', (row) => row.cacheReadTokens],
  ['cost_usd', (row) => usd(row.costUsd)],
  ['reported_cost_usd', (row) => usd(row.reportedCostUsd)],
  ['unpriced', (row) => row.unpriced],
];

/** The pages of an export: read from the database a page at a time. */
type Pages = AsyncIterable<CostExportRow[]> | Iterable<CostExportRow[]>;

/** The cost export as CSV, a header line and then a chunk per page of rows. */
export async function* csvChunks(pages: Pages): AsyncGenerator<string> {
  yield csvLine(CSV_COLUMNS.map(([header]) => header));
  for await (const page of pages)
    yield page.map((row) => csvLine(CSV_COLUMNS.map(([, cell]) => cell(row)))).join('');
}

/** `{"from", "to", "rows": [...]}`, written a page at a time. */
export async function* jsonChunks(range: Pick<CostExportQuery, 'from' | 'to'>, pages: Pages) {
  yield `{"from":${JSON.stringify(range.from)},"to":${JSON.stringify(range.to)},"rows":[`;
  let separator = '';
  for await (const page of pages) {
    yield separator + page.map((row) => JSON.stringify(row)).join(',');
    separator = ',';
  }
  yield ']}';
}
