import type { Metadata } from 'next';
import { ChannelForm } from '@/components/features/notifications/ChannelForm';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New notification channel' };

export default function NewChannelPage() {
  const agents = listAgents(getDb()).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <PageHeader title="New notification channel" />
      <Panel>
        <ChannelForm agents={agents} />
      </Panel>
    </>
  );
}
