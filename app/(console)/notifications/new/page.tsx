import type { Metadata } from 'next';
import { ChannelForm } from '@/components/features/notifications/ChannelForm';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New notification channel' };

export default function NewChannelPage() {
  const agents = listAgents(getDb()).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <div className="page-head">
        <h1>New notification channel</h1>
      </div>
      <section className="panel">
        <ChannelForm agents={agents} />
      </section>
    </>
  );
}
