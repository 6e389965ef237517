import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ChannelForm } from '@/components/features/notifications/ChannelForm';
import { DeleteChannelButton } from '@/components/features/notifications/DeleteChannelButton';
import { RotateSecretButton } from '@/components/features/notifications/RotateSecretButton';
import { SendTestButton } from '@/components/features/notifications/SendTestButton';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';
import { getChannelRow } from '@/lib/db/queries/notificationChannels';
import { toChannelDto } from '@/lib/notifications/channels';
import { parseIdParam } from '../../../_lib/params';

export const dynamic = 'force-dynamic';

interface ChannelPageProps {
  params: Promise<{ id: string }>;
}

// Metadata and page share one read per request.
const loadChannel = cache((idParam: string) => {
  const id = parseIdParam(idParam);
  const row = id === undefined ? undefined : getChannelRow(getDb(), id);
  return row && toChannelDto(row);
});

export async function generateMetadata({ params }: ChannelPageProps): Promise<Metadata> {
  const channel = loadChannel((await params).id);
  return { title: channel?.name ?? 'Channel not found' };
}

export default async function ChannelPage({ params }: ChannelPageProps) {
  const channel = loadChannel((await params).id);
  if (!channel) notFound();
  const agents = listAgents(getDb()).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <div className="page-head">
        <h1 data-testid="channel-title">
          {channel.name}
          {channel.enabled ? null : <span className="tag">disabled</span>}
        </h1>
        <div className="page-actions">
          <SendTestButton channelId={channel.id} />
          <Link href={`/notifications?channelId=${channel.id}#deliveries`} className="button">
            Delivery log
          </Link>
          <DeleteChannelButton channelId={channel.id} channelName={channel.name} />
        </div>
      </div>
      {channel.type === 'webhook' ? (
        <section className="panel">
          <RotateSecretButton channelId={channel.id} masked={channel.secret} />
        </section>
      ) : null}
      <section className="panel">
        <ChannelForm channel={channel} agents={agents} />
      </section>
    </>
  );
}
