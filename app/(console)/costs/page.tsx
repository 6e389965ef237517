import type { Metadata } from 'next';
import { CostsOverview } from '@/components/features/costs/CostsOverview';
import { getDb } from '@/lib/db';
import { getCostOverview } from '@/lib/db/queries/costReports';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Costs' };

export default function CostsPage() {
  return <CostsOverview overview={getCostOverview(getDb(), Date.now())} />;
}
