import Form from 'next/form';
import Link from 'next/link';
import { LocalTime } from '@/components/ui/LocalTime';
import {
  type ChannelDto,
  DELIVERY_STATUSES,
  type DeliveryDto,
  type DeliveryStatus,
  type ListDeliveriesQuery,
  NOTIFICATIONS_PAGE_PATH,
} from '@/lib/contracts/notifications';
import { formatDuration } from '@/lib/presentation/format';
import { RefreshButton } from './RefreshButton';

const STATUS_LABELS: Record<DeliveryStatus, string> = {
  delivered: 'delivered',
  retrying: 'retrying',
  gave_up: 'gave up',
  failed: 'failed',
};
const STATUS_TONES: Record<DeliveryStatus, 'ok' | 'bad' | 'muted'> = {
  delivered: 'ok',
  retrying: 'muted',
  gave_up: 'bad',
  failed: 'bad',
};

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
      <Form action={NOTIFICATIONS_PAGE_PATH} className="log-filter" data-testid="deliveries-filter">
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
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button-small" data-testid="deliveries-filter-apply">
          Filter
        </button>
        <RefreshButton />
      </Form>
      {deliveries.length === 0 ? (
        <p className="empty" data-testid="deliveries-empty">
          {filter.channelId !== undefined || filter.status !== undefined
            ? 'No attempts match this filter.'
            : 'Nothing sent yet. Send a test to a channel to see it here.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="deliveries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Channel</th>
                <th scope="col">Event</th>
                <th scope="col" className="num">
                  Attempt
                </th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Response
                </th>
                <th scope="col">Error</th>
                <th scope="col" className="num">
                  Took
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <tr
                  key={delivery.id}
                  data-testid="delivery-row"
                  data-status={delivery.status}
                  data-event-type={delivery.eventType}
                >
                  <td>
                    <LocalTime epochMs={delivery.createdAt} />
                  </td>
                  <td>{delivery.channelName}</td>
                  <td className="mono small" title={delivery.eventId}>
                    {delivery.eventType}
                  </td>
                  <td className="num" data-testid="delivery-attempt">
                    {delivery.attempt}
                  </td>
                  <td>
                    <span
                      className={`badge badge-${STATUS_TONES[delivery.status]}`}
                      data-testid="delivery-status"
                    >
                      {STATUS_LABELS[delivery.status]}
                    </span>
                  </td>
                  <td className="num" data-testid="delivery-code">
                    {delivery.responseCode ?? '—'}
                  </td>
                  <td className="description" data-testid="delivery-error">
                    {delivery.error ?? ''}
                  </td>
                  <td className="num">{formatDuration(delivery.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {paged || nextBefore !== null ? (
        <nav className="pager" aria-label="Delivery log pages">
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
