import type { Metadata } from 'next';
import { ChannelForm } from '@/components/features/notifications/ChannelForm';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { getStore } from '@/lib/db/store';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New notification channel' };

export default async function NewChannelPage() {
  const store = getStore();
  const agents = (await execute(store, listAgents(store))).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <PageHeader title="New notification channel" />
      <Panel>
        <ChannelForm agents={agents} />
      </Panel>
    </>
  );
}
