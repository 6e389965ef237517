import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ExecutionView } from '@/components/features/execution/ExecutionView';
import { getStore } from '@/lib/db/store';
import { parseIdParam } from '../../../_lib/params';
import { loadExecutionSnapshot } from './snapshot';

export const dynamic = 'force-dynamic';

interface ExecutionPageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: ExecutionPageProps): Promise<Metadata> {
  return { title: `Run #${(await params).id}` };
}

export default async function ExecutionPage({ params }: ExecutionPageProps) {
  const id = parseIdParam((await params).id);
  const snapshot = id === undefined ? undefined : await loadExecutionSnapshot(getStore(), id);
  if (!snapshot) notFound();
  return <ExecutionView snapshot={snapshot} />;
}
