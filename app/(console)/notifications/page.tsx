import type { Metadata } from 'next';
import Link from 'next/link';
import { ChannelTable } from '@/components/features/notifications/ChannelTable';
import { ConditionTable } from '@/components/features/notifications/ConditionTable';
import { DeliveryLog } from '@/components/features/notifications/DeliveryLog';
import { ButtonLink } from '@/components/ui/Button';
import { Hint } from '@/components/ui/FormParts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { type ListDeliveriesQuery, listDeliveriesQuerySchema } from '@/lib/contracts/notifications';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { listDeliveries } from '@/lib/db/queries/notificationDeliveries';
import { getStore } from '@/lib/db/store';
import { listChannels } from '@/lib/notifications/channels';
import { listConditionStatuses } from '@/lib/notifications/conditionList';
import { formatDuration } from '@/lib/presentation/format';

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
  const store = getStore();
  const channels = await listChannels(store);
  const agentNames = new Map(
    (await execute(store, listAgents(store))).map((agent) => [agent.id, agent.name]),
  );
  const filter = deliveryFilter(await searchParams);
  const { deliveries, nextBefore } = await execute(store, listDeliveries(store, filter));
  const { conditions, quietPeriodMinutes } = await listConditionStatuses(store);
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Where failures, budgets, health and host alerts are sent, and what was sent."
        actions={
          <ButtonLink href="/notifications/new" variant="primary" data-testid="channel-new">
            New channel
          </ButtonLink>
        }
      />
      <Panel title="Channels">
        <ChannelTable channels={channels} agentNames={agentNames} />
        <Hint>
          The quiet period, the per-channel rate limit and the host thresholds are in{' '}
          <Link href="/settings">Settings</Link>.
        </Hint>
      </Panel>
      <Panel title="Conditions">
        <ConditionTable conditions={conditions} />
        <Hint>
          Disks, memory, load, storage, budgets, health reports and the circuit breaker: each is announced
          when it starts, again after the quiet period ({formatDuration(quietPeriodMinutes * 60_000)}) while
          it holds, and once when it clears.
        </Hint>
      </Panel>
      <div id="deliveries">
        <Panel title="Delivery log">
          <DeliveryLog deliveries={deliveries} nextBefore={nextBefore} channels={channels} filter={filter} />
        </Panel>
      </div>
    </>
  );
}
