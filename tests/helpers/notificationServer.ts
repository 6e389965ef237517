import { Webhook } from 'standardwebhooks';
import {
  type ChannelDto,
  channelResponseSchema,
  type DeliveryDto,
  deliveryListResponseSchema,
  type WebhookBody,
  webhookBodySchema,
} from '../../src/lib/contracts/notifications';
import type { ApiClient } from './api';
import type { ReceivedRequest } from './receivers';
import type { ScriptedModelServer } from './scriptedModelServer';

/** What the notification API answers, parsed with the contracts, plus runs that fail on purpose. */
export function notificationsApi(api: ApiClient, model: ScriptedModelServer) {
  return {
    async createChannel(body: Record<string, unknown>): Promise<{ channel: ChannelDto; secret?: string }> {
      const { status, body: answer } = await api.call('POST', '/api/notification-channels', body);
      if (status !== 201) throw new Error(`create channel failed: ${status} ${JSON.stringify(answer)}`);
      return channelResponseSchema.parse(answer);
    },

    /** The channel's delivery log, oldest first. */
    async deliveries(channelId: number, status?: string): Promise<DeliveryDto[]> {
      const query = new URLSearchParams({ channelId: String(channelId), limit: '200' });
      if (status) query.set('status', status);
      const { body } = await api.call('GET', `/api/notification-deliveries?${query}`);
      return deliveryListResponseSchema.parse(body).deliveries.reverse();
    },

    /**
     * An agent whose every model call is refused with a 400: its runs end `failed`
     * (`invalid_request`) at once, never retried.
     */
    async createFailingAgent(key: string) {
      model.script(
        key,
        [{ kind: 'http_error', status: 400, errorType: 'invalid_request_error', message: 'refused' }],
        {
          repeatLast: true,
        },
      );
      return api.createAgent({ defaultPrompt: `Work ${key}`, apiMaxRetries: 0, runRetries: 0 });
    },

    async runToFailure(agentId: number): Promise<number> {
      const id = await api.startExecution(agentId);
      const execution = await api.waitForEnd(id);
      if (execution.status !== 'failed') throw new Error(`run ${id} ended ${execution.status}, not failed`);
      return id;
    },
  };
}

/** The webhook's body, once its Standard Webhooks signature checks out with the channel's secret. */
export function verifiedWebhook(request: ReceivedRequest, secret: string): WebhookBody {
  return webhookBodySchema.parse(
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>),
  );
}

/** Requests the receiver got on one channel's path. */
export const requestsTo = (requests: readonly ReceivedRequest[], path: string) =>
  requests.filter((request) => request.path === path);
