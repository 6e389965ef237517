import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ChannelForm } from '@/components/features/notifications/ChannelForm';
import { DeleteChannelButton } from '@/components/features/notifications/DeleteChannelButton';
import { RotateSecretButton } from '@/components/features/notifications/RotateSecretButton';
import { SendTestButton } from '@/components/features/notifications/SendTestButton';
import { Tag } from '@/components/ui/Badge';
import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { getChannelRow } from '@/lib/db/queries/notificationChannels';
import { getStore } from '@/lib/db/store';
import { toChannelDto } from '@/lib/notifications/channels';
import { parseIdParam } from '../../../_lib/params';

export const dynamic = 'force-dynamic';

interface ChannelPageProps {
  params: Promise<{ id: string }>;
}

// Metadata and page share one read per request.
const loadChannel = cache(async (idParam: string) => {
  const id = parseIdParam(idParam);
  const store = getStore();
  const row = id === undefined ? undefined : await execute(store, getChannelRow(store, id));
  return row && toChannelDto(row);
});

export async function generateMetadata({ params }: ChannelPageProps): Promise<Metadata> {
  const channel = await loadChannel((await params).id);
  return { title: channel?.name ?? 'Channel not found' };
}

export default async function ChannelPage({ params }: ChannelPageProps) {
  const channel = await loadChannel((await params).id);
  if (!channel) notFound();
  const store = getStore();
  const agents = (await execute(store, listAgents(store))).map(({ id, name }) => ({ id, name }));
  return (
    <>
      <PageHeader
        titleTestId="channel-title"
        title={
          <>
            {channel.name}
            {channel.enabled ? null : <Tag>disabled</Tag>}
          </>
        }
        actions={
          <>
            <SendTestButton channelId={channel.id} />
            <ButtonLink href={`/notifications?channelId=${channel.id}#deliveries`}>Delivery log</ButtonLink>
            <DeleteChannelButton channelId={channel.id} channelName={channel.name} />
          </>
        }
      />
      {channel.type === 'webhook' ? (
        <Panel>
          <RotateSecretButton channelId={channel.id} masked={channel.secret} />
        </Panel>
      ) : null}
      <Panel>
        <ChannelForm channel={channel} agents={agents} />
      </Panel>
    </>
  );
}
