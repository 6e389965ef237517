import Form from 'next/form';
import Link from 'next/link';
import { Button } from '@/components/ui/Button';
import formStyles from '@/components/ui/Form.module.css';
import { Empty } from '@/components/ui/Panel';
import {
  type ChannelDto,
  DELIVERY_STATUSES,
  type DeliveryDto,
  type ListDeliveriesQuery,
  NOTIFICATIONS_PAGE_PATH,
} from '@/lib/contracts/notifications';
import { DELIVERY_STATUS_LABELS, DeliveryTable } from './DeliveryTable';
import styles from './Notifications.module.css';
import { RefreshButton } from './RefreshButton';

/** The log's URL for a filter and page; the filter survives paging. */
function logHref(filter: Pick<ListDeliveriesQuery, 'channelId' | 'status'>, before?: number): string {
  const query = new URLSearchParams();
  if (filter.channelId !== undefined) query.set('channelId', String(filter.channelId));
  if (filter.status !== undefined) query.set('status', filter.status);
  if (before !== undefined) query.set('before', String(before));
  const text = query.toString();
  return `${NOTIFICATIONS_PAGE_PATH}${text === '' ? '' : `?${text}`}#deliveries`;
}

/**
 * Every attempt to send, newest first: how it ended, the receiver's answer, what went wrong
 * (secrets masked). Filtered by channel and status through the URL, so a filtered view can be linked.
 */
export function DeliveryLog({
  deliveries,
  nextBefore,
  channels,
  filter,
}: {
  deliveries: DeliveryDto[];
  nextBefore: number | null;
  channels: ChannelDto[];
  filter: ListDeliveriesQuery;
}) {
  const paged = filter.before !== undefined;
  return (
    <>
      <Form
        action={NOTIFICATIONS_PAGE_PATH}
        className={`${formStyles.inline} ${styles.filter}`}
        data-testid="deliveries-filter"
      >
        <label>
          Channel{' '}
          <select
            name="channelId"
            defaultValue={filter.channelId ?? ''}
            data-testid="deliveries-filter-channel"
          >
            <option value="">all</option>
            {channels.map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select name="status" defaultValue={filter.status ?? ''} data-testid="deliveries-filter-status">
            <option value="">all</option>
            {DELIVERY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {DELIVERY_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" size="small" data-testid="deliveries-filter-apply">
          Filter
        </Button>
        <RefreshButton />
      </Form>
      {deliveries.length === 0 ? (
        <Empty testId="deliveries-empty">
          {filter.channelId !== undefined || filter.status !== undefined
            ? 'No attempts match this filter.'
            : 'Nothing sent yet. Send a test to a channel to see it here.'}
        </Empty>
      ) : (
        <DeliveryTable deliveries={deliveries} />
      )}
      {paged || nextBefore !== null ? (
        <nav className={styles.pager} aria-label="Delivery log pages">
          {paged ? (
            <Link href={logHref(filter)} data-testid="deliveries-newest">
              Newest
            </Link>
          ) : null}
          {nextBefore !== null ? (
            <Link href={logHref(filter, nextBefore)} data-testid="deliveries-older">
              Older
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
