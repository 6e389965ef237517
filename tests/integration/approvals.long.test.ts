import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionDetail } from '../../src/lib/contracts/executions';
import { apiClient } from '../helpers/api';
import { answer, approvalsApi, bashCall, eventually } from '../helpers/approvals';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { agentPids } from '../helpers/processes';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';
import { storedSteps } from '../helpers/storedOutput';

/**
 * Approvals that wait minutes: past the hold (60 s, the default), past a restart, past their
 * timeout. Every scenario waits at the same time (describe.concurrent), so the file takes about
 * as long as its longest wait.
 */
const stack = setUpTestStack({ beforeAll, afterAll });
let receiver: HttpReceiver;
let restarted: AppServer | undefined;

beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await restarted?.stop();
  await receiver?.close();
});

const MINUTE = 60_000;
const WAIT_PAST_WATCHDOG_MS = 3 * MINUTE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `ms` have passed since `since`. */
const until = (since: number, ms: number) => sleep(Math.max(0, since + ms - Date.now()));

const ranOutput = (databasePath: string, executionId: number) =>
  storedSteps(databasePath, executionId)
    .filter((step) => step.kind === 'tool_result')
    .map((step) => step.summary)
    .join('\n');

/**
 * Starts a run whose first turn asks for `command`, and waits for it to be asked. No bound of its
 * own: on a loaded machine Claude Code may take seconds to read the turn (latency is the bench's).
 */
async function askAndWait(api: ReturnType<typeof apiClient>, key: string, agentId: number) {
  const id = await api.startExecution(agentId);
  // The call is made when the model server has served the turn that asks for it.
  await eventually('the model to ask for the call', async () =>
    stack.model.requests.some((r) => r.key === key),
  );
  const approvals = approvalsApi(api, stack.model);
  await approvals.waitForStatus(id, 'awaiting_approval');
  const pending = await approvals.pendingOf(id);
  return { id, pending, askedAt: Date.now(), approvals };
}

describe.concurrent('approvals that wait for minutes', () => {
  it(
    'waits 3 minutes (past the hold, without a process) and, approved through the API, completes with the real output',
    async () => {
      const { api, app, model } = stack;
      const key = 'long-wait-approve';
      const command = `touch long-${key} && echo long-ran-${key}`;
      model.script(key, [bashCall(command), bashCall(command), answer('done after three minutes')]);
      const agent = await api.createAgent({ defaultPrompt: `Work ${key}`, unlistedTools: 'ask' });
      const { id, pending, askedAt, approvals } = await askAndWait(api, key, agent.id);

      // Past the hold the run lets its process go, and holds no slot.
      await eventually(
        'the run to let its process go',
        async () => agentPids(app.databasePath, id).length === 0,
        2 * MINUTE,
      );
      await until(askedAt, WAIT_PAST_WATCHDOG_MS);
      expect((await api.getExecution(id)).status).toBe('awaiting_approval');

      const decided = await approvals.decide(pending.id, { decision: 'allow' });
      expect(decided.status).toBe(200);
      const run = await api.waitForEnd(id, MINUTE);
      expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 0 });
      expect(ranOutput(app.databasePath, id)).toContain(`long-ran-${key}`);
    },
    6 * MINUTE,
  );

  it(
    'survives a kill -9 of the server during the wait: still pending after the restart, and approving it completes the run',
    async () => {
      const key = 'long-wait-kill';
      const command = `touch kill-${key} && echo kill-ran-${key}`;
      // The killed server's Claude Code process outlives it until the restart kills it: its waiting
      // call is refused when its control channel closes, and it may ask the model again meanwhile.
      // So the resumed session (told the answer) gets a script of its own, found before the run's.
      stack.model.script(`with this input: {"command":"touch kill-${key}`, [
        bashCall(command),
        answer('done after the restart'),
      ]);
      stack.model.script(key, [bashCall(command), answer('the orphan gave up')], { repeatLast: true });
      const first = await startAppServer({ modelServerUrl: stack.model.url });
      restarted = first;
      const api = apiClient(first.url);
      const agent = await api.createAgent({ defaultPrompt: `Work ${key}`, unlistedTools: 'ask' });
      const { id, pending, askedAt } = await askAndWait(api, key, agent.id);
      // Beside it, a run mid-turn, which the kill interrupts (and which can be continued after).
      // A key of its own: a script key found anywhere in a prompt serves it, and `key` would be.
      const hangKey = 'busy-beside-the-kill';
      stack.model.script(hangKey, [{ kind: 'hang' }, answer(`picked up again ${hangKey}`)]);
      const busy = await api.createAgent({ defaultPrompt: `Keep busy ${hangKey}` });
      const busyId = await api.startExecution(busy.id);
      // Its transcript reached the database (mirrored line by line as Claude Code writes it).
      await eventually('the busy run’s transcript to be stored', async () => {
        const { body } = await api.call('GET', `/api/executions/${busyId}/continue`);
        return (body as { preview: { transcriptEntries: number } }).preview.transcriptEntries > 0;
      });
      // Killed while the call waits in its process's permission callback (within the hold).
      expect(agentPids(first.databasePath, id).length).toBeGreaterThan(0);
      expect(await first.stop('SIGKILL')).toBeNull();

      const second = await startAppServer({ modelServerUrl: stack.model.url, dataDir: first.dataDir });
      restarted = second;
      const after = apiClient(second.url);
      const approvals = approvalsApi(after, stack.model);
      const waiting = await after.getExecution(id);
      expect(waiting).toMatchObject({ status: 'awaiting_approval', errorCode: null });
      expect((await approvals.pendingOf(id)).id).toBe(pending.id);
      expect(agentPids(second.databasePath, id)).toEqual([]);
      // Only the run that was mid-turn is interrupted; it continues on its session.
      expect((await after.getExecution(busyId)).status).toBe('interrupted');
      const continued = await after.call('POST', `/api/executions/${busyId}/continue`, { prompt: 'Go on' });
      expect(continued.status).toBe(201);
      const continuedId = (continued.body as { execution: { id: number } }).execution.id;
      expect(await after.waitForEnd(continuedId, MINUTE)).toMatchObject({
        status: 'completed',
        parentExecutionId: busyId,
      });

      await until(askedAt, WAIT_PAST_WATCHDOG_MS);
      expect((await after.getExecution(id)).status).toBe('awaiting_approval');
      expect((await approvals.decide(pending.id, { decision: 'allow' })).status).toBe(200);
      const run: ExecutionDetail = await after.waitForEnd(id, MINUTE);
      expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 0 });
      expect(ranOutput(second.databasePath, id)).toContain(`kill-ran-${key}`);
    },
    7 * MINUTE,
  );

  it(
    'times out to a deny the model is told about; the run shows approval_timeout, and its links stop working',
    async () => {
      const { api, app, model } = stack;
      const key = 'long-timeout-deny';
      model.script(key, [bashCall(`touch late-${key}`), answer('went on without it')], { repeatLast: true });
      const agent = await api.createAgent({
        defaultPrompt: `Work ${key}`,
        unlistedTools: 'ask',
        approvalTimeoutMinutes: 1,
        onApprovalTimeout: 'deny',
      });
      const channel = await api.call('POST', '/api/notification-channels', {
        type: 'webhook',
        name: key,
        url: `${receiver.url}/${key}`,
        events: ['approval.requested', 'approval.expired'],
        agentIds: [agent.id],
      });
      expect(channel.status).toBe(201);
      const { id, pending } = await askAndWait(api, key, agent.id);
      const requested = await eventually('the approval.requested message', async () =>
        receiver.requests.find(
          (request) => request.path === `/${key}` && request.body.includes('approval.requested'),
        ),
      );
      const links = (JSON.parse(requested.body) as { actions: { url: string }[] }).actions.map(
        (action) => action.url,
      );

      const run = await api.waitForEnd(id, 3 * MINUTE);
      expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 1 });
      expect(run.denials[0]).toMatchObject({ reason: 'approval_timeout', toolName: 'Bash' });
      expect(run.warnings.map((warning) => warning.code)).toContain('approval_timeout');
      const told = JSON.stringify(model.requests.filter((request) => request.key === key).map((r) => r.body));
      expect(told).toContain('Nobody answered within 1 minute, so the call was denied.');
      const expired = await approvalsApi(api, model).approvals(`executionId=${id}`);
      expect(expired.items[0]).toMatchObject({
        id: pending.id,
        status: 'expired',
        decision: { decidedVia: 'timeout', decision: 'deny' },
      });
      await eventually('the approval.expired message', async () =>
        receiver.requests.find(
          (request) => request.path === `/${key}` && request.body.includes('approval.expired'),
        ),
      );
      for (const link of links) {
        const token = link.slice(`${app.url}/approve/`.length);
        const late = await fetch(`${app.url}/api/approval-links/${token}`, { method: 'POST' });
        expect(late.status).toBe(410);
        expect(await late.json()).toMatchObject({ error: { code: 'link_expired' } });
      }
    },
    5 * MINUTE,
  );

  it(
    'times out to a failed run when the policy says fail, with the timeout a schedule gave it',
    async () => {
      const { api, model } = stack;
      const key = 'long-timeout-fail';
      model.script(key, [bashCall(`touch never-${key}`)], { repeatLast: true });
      const agent = await api.createAgent({
        defaultPrompt: `Work ${key}`,
        unlistedTools: 'ask',
        onApprovalTimeout: 'fail',
      });
      const schedule = await api.call('POST', '/api/schedules', {
        agentId: agent.id,
        cronExpression: '0 0 1 1 *',
        enabled: false,
        approvalTimeoutMinutes: 1,
      });
      expect(schedule.status).toBe(201);
      const scheduleId = (schedule.body as { schedule: { id: number } }).schedule.id;
      const fired = await api.call('POST', `/api/schedules/${scheduleId}/run`);
      expect(fired.status).toBe(201);
      const id = (fired.body as { firing: { executionId: number } }).firing.executionId;
      const pending = await approvalsApi(api, model).pendingOf(id);
      expect(pending.expiresAt - pending.requestedAt).toBe(MINUTE);
      expect(pending.onTimeout).toBe('fail');

      const run = await api.waitForEnd(id, 3 * MINUTE);
      expect(run).toMatchObject({
        status: 'failed',
        errorCode: 'approval_timeout',
        errorMessage:
          'Nobody answered within 1 minute, so the run failed (its policy fails a run whose call is not answered).',
      });
    },
    5 * MINUTE,
  );
});
