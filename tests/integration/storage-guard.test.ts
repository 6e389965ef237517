import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleFiringDto } from '../../src/lib/contracts/schedules';
import type { StorageStatusDto } from '../../src/lib/contracts/storage';
import { notificationsApi, verifiedWebhook } from '../helpers/notificationServer';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A floor no disk clears (all of it), or none at all. */
const FLOOR_EVERYTHING = { diskFloorMb: 1_073_741_824, diskFloorPercent: 100 };
const NO_FLOOR = { diskFloorMb: 0, diskFloorPercent: 0 };

async function setSettings(patch: Record<string, unknown>): Promise<void> {
  const { status, body } = await stack.api.call('PATCH', '/api/settings', patch);
  if (status !== 200) throw new Error(`settings: ${status} ${JSON.stringify(body)}`);
}

async function storage(): Promise<StorageStatusDto> {
  const { body } = await stack.api.call('GET', '/api/system');
  return (body as { storage: StorageStatusDto }).storage;
}

describe('the low-space guard', () => {
  it('below the floor: runs are refused and recorded, a schedule slot is skipped, and storage.low is announced', async () => {
    const { api, model } = stack;
    const { channel, secret } = await notificationsApi(api, model).createChannel({
      type: 'webhook',
      name: 'disk',
      url: `${receiver.url}/disk`,
      events: ['storage.low'],
    });
    model.script('[script:guard]', [{ content: [{ type: 'text', text: 'ran' }] }], { repeatLast: true });
    const agent = await api.createAgent({ defaultPrompt: 'Work [script:guard]' });

    await setSettings(FLOOR_EVERYTHING);
    const low = await storage();
    expect(low.state).toBe('low');
    expect(low.message).toMatch(/free on the file system of .* \(floor .*\): new runs are refused/);

    // A run: refused with 507, and recorded as failed, saying why.
    const refused = await api.call('POST', '/api/executions', { agentId: agent.id });
    expect(refused.status).toBe(507);
    const error = (refused.body as { error: { code: string; message: string; executionId: number } }).error;
    expect(error.code).toBe('insufficient_storage');
    const recorded = await api.getExecution(error.executionId);
    expect(recorded).toMatchObject({
      status: 'failed',
      errorCode: 'storage_low',
      errorMessage: error.message,
    });

    // A schedule's slot (run now): skipped with the same reason, in its history.
    const created = await api.call('POST', '/api/schedules', {
      agentId: agent.id,
      cronExpression: '@yearly',
    });
    const scheduleId = (created.body as { schedule: { id: number } }).schedule.id;
    const runNow = await api.call('POST', `/api/schedules/${scheduleId}/run`);
    expect(runNow.status).toBe(507);
    const firings = await api.call('GET', `/api/schedules/${scheduleId}/firings`);
    const [firing] = (firings.body as { items: ScheduleFiringDto[] }).items;
    expect(firing).toMatchObject({ outcome: 'skipped_storage' });
    expect(firing?.reason).toMatch(/^Skipped: Only .* free/);

    // The notification condition, delivered.
    for (let i = 0; i < 100 && receiver.requests.length === 0; i++) await sleep(100);
    const [request] = receiver.requests;
    if (!request || !secret) throw new Error('storage.low was not delivered');
    const announced = verifiedWebhook(request, secret);
    expect(announced).toMatchObject({ type: 'storage.low', data: { state: 'firing', dataDir: low.dataDir } });
    expect(channel.events).toEqual(['storage.low']);

    // Space back (the floor lowered): runs start again, no restart.
    await setSettings(NO_FLOOR);
    expect((await storage()).state).toBe('ok');
    const execution = await api.waitForEnd(await api.startExecution(agent.id));
    expect(execution.status).toBe('completed');
  });
});

describe('the log cap', () => {
  it('stores a run’s log up to the cap, then one marker line, and says at the end how much was left out', async () => {
    const { api, model } = stack;
    await setSettings({ runLogCapMb: 1 });
    const line = `${'x'.repeat(99)}\n`;
    model.script('[script:log-cap]', [
      { content: [{ type: 'text', text: line.repeat(20_000) }], textDeltaChars: 64 * 1024 },
    ]);
    const agent = await api.createAgent({ defaultPrompt: 'Talk a lot [script:log-cap]' });
    const execution = await api.waitForEnd(await api.startExecution(agent.id));
    expect(execution.status).toBe('completed');

    const db = new Database(stack.app.databasePath, { readonly: true });
    const lines = db
      .prepare('select text from execution_logs where execution_id = ? order by seq')
      .all(execution.id) as { text: string }[];
    db.close();
    const markers = lines.filter((entry) => entry.text.startsWith('[truncated]'));
    expect(markers.map((marker) => marker.text)).toEqual([
      "[truncated] This run's log reached its cap of 1.00 MiB: further lines are counted, not stored (the run goes on)",
      expect.stringMatching(/^\[truncated\] [\d,]+ more lines \(.+\) were not stored$/),
    ]);
    const storedBytes = lines.reduce((sum, entry) => sum + entry.text.length, 0);
    expect(storedBytes).toBeLessThanOrEqual(1024 * 1024 + 1_000);
    expect(lines.filter((entry) => entry.text === 'x'.repeat(99)).length).toBeGreaterThan(10_000);
    await setSettings({ runLogCapMb: 50 });
  });
});
