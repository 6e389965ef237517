import type { Metadata } from 'next';
import { CostsOverview } from '@/components/features/costs/CostsOverview';
import { costRangeDays, costRangeQuerySchema } from '@/lib/contracts/costs';
import { getCostOverview, getRangeSpend } from '@/lib/db/queries/costReports';
import { getStore } from '@/lib/db/store';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Costs' };

export default async function CostsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const store = getStore();
  const now = Date.now();
  const parsed = costRangeQuerySchema.safeParse(await searchParams);
  // A bad range in the URL says what is wrong and shows the default range.
  const query = parsed.success ? parsed.data : costRangeQuerySchema.parse({});
  const issue = parsed.success
    ? null
    : parsed.error.issues.map((problem) => `${problem.path.join('.')}: ${problem.message}`).join('; ');
  return (
    <CostsOverview
      overview={await getCostOverview(store, now)}
      range={query.range}
      spend={await getRangeSpend(store, costRangeDays(query, now))}
      rangeIssue={issue}
    />
  );
}
