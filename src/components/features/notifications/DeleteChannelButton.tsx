import { ConfirmDeleteButton } from '@/components/ui/ConfirmDeleteButton';
import { NOTIFICATIONS_PAGE_PATH } from '@/lib/contracts/notifications';

/** Deletes the channel after an inline confirmation; its queue and delivery log go with it. */
export function DeleteChannelButton({ channelId, channelName }: { channelId: number; channelName: string }) {
  return (
    <ConfirmDeleteButton
      apiPath={`/api/notification-channels/${channelId}`}
      question={`Delete ${channelName}? Its delivery log goes with it.`}
      then={NOTIFICATIONS_PAGE_PATH}
      testId="channel-delete"
    />
  );
}
