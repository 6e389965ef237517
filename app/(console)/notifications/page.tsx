import type { Metadata } from 'next';
import Link from 'next/link';
import { ChannelTable } from '@/components/features/notifications/ChannelTable';
import { DeliveryLog } from '@/components/features/notifications/DeliveryLog';
import { type ListDeliveriesQuery, listDeliveriesQuerySchema } from '@/lib/contracts/notifications';
import { getDb } from '@/lib/db';
import { listAgents } from '@/lib/db/queries/agents';
import { listDeliveries } from '@/lib/db/queries/notificationDeliveries';
import { listChannels } from '@/lib/notifications/channels';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Notifications' };

interface NotificationsPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const FILTER_KEYS = ['channelId', 'status', 'before'] as const;

/** The log's filter from the URL; the form sends empty values for "all", and a bad value shows everything. */
function deliveryFilter(searchParams: Record<string, string | string[] | undefined>): ListDeliveriesQuery {
  const given = Object.fromEntries(
    FILTER_KEYS.flatMap((key) => {
      const value = searchParams[key];
      return typeof value === 'string' && value !== '' ? [[key, value]] : [];
    }),
  );
  const parsed = listDeliveriesQuerySchema.safeParse(given);
  return parsed.success ? parsed.data : listDeliveriesQuerySchema.parse({});
}

export default async function NotificationsPage({ searchParams }: NotificationsPageProps) {
  const db = getDb();
  const channels = listChannels(db);
  const agentNames = new Map(listAgents(db).map((agent) => [agent.id, agent.name]));
  const filter = deliveryFilter(await searchParams);
  const { deliveries, nextBefore } = listDeliveries(db, filter);
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        <div className="page-actions">
          <Link href="/notifications/new" className="button button-primary" data-testid="channel-new">
            New channel
          </Link>
        </div>
      </div>
      <section className="panel" aria-labelledby="channels-heading">
        <h2 id="channels-heading">Channels</h2>
        <ChannelTable channels={channels} agentNames={agentNames} />
        <p className="field-hint">
          The quiet period, the per-channel rate limit and the host thresholds are in{' '}
          <Link href="/settings">Settings</Link>.
        </p>
      </section>
      <section className="panel" id="deliveries" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Delivery log</h2>
        <DeliveryLog deliveries={deliveries} nextBefore={nextBefore} channels={channels} filter={filter} />
      </section>
    </>
  );
}
