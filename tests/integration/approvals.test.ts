import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import type { ApprovalDto } from '../../src/lib/contracts/approvals';
import type { ContinuePreview, ExecutionDetail } from '../../src/lib/contracts/executions';
import { answer, approvalsApi, bashCall, eventually, toolResultsIn } from '../helpers/approvals';
import { agentPids } from '../helpers/processes';
import { type HttpReceiver, startHttpReceiver } from '../helpers/receivers';
import { setUpTestStack } from '../helpers/stack';
import { storedSteps } from '../helpers/storedOutput';
import { connectRecording } from '../helpers/wsClient';

// A short hold, so a call nobody answers at once parks its run (no process, no slot) within seconds.
const stack = setUpTestStack({ beforeAll, afterAll }, { CLAUDEOPS_APPROVAL_HOLD_SECONDS: '3' });
let approvals: ReturnType<typeof approvalsApi>;
let receiver: HttpReceiver;

beforeAll(async () => {
  approvals = approvalsApi(stack.api, stack.model);
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

let serial = 0;
const keyFor = (name: string) => `approvals-${name}-${++serial}`;

const toolResults = (executionId: number) =>
  storedSteps(stack.app.databasePath, executionId).filter((step) => step.kind === 'tool_result');

const execution = (body: unknown) => (body as { execution: ExecutionDetail }).execution;
const approval = (body: unknown) => (body as { approval: ApprovalDto }).approval;

/** The run parked: its process ended and the step saying so is stored. */
const parked = (executionId: number) =>
  eventually(`execution ${executionId} to park`, async () =>
    storedSteps(stack.app.databasePath, executionId).some((step) => step.payload?.status === 'parked'),
  );

describe('an agent allowed Bash(cat:*) (the bug this starts from)', () => {
  it('had a cat outside its working directory denied; the run now says so, and additionalDirectories lets it run', async () => {
    const { api, model } = stack;
    const key = keyFor('cat');
    const hostname = fs.readFileSync('/etc/hostname', 'utf8').trim();
    model.script(key, [
      bashCall('cat /etc/hostname'),
      answer('read it'),
      bashCall('cat /etc/hostname'),
      answer('read it'),
    ]);
    const agent = await api.createAgent({
      defaultPrompt: `Read the host name ${key}`,
      allowedTools: ['Bash(cat:*)'],
    });

    const denied = await api.waitForEnd(await api.startExecution(agent.id));
    expect(denied).toMatchObject({ status: 'completed', deniedToolCalls: 1 });
    expect(denied.denials[0]).toMatchObject({
      toolName: 'Bash',
      reason: 'policy',
      input: 'cat /etc/hostname',
    });
    expect(denied.denials[0]?.hint).toContain('Bash(cat:*) names this command');
    expect(denied.warnings.map((warning) => warning.code)).toEqual(['all_tool_calls_denied']);
    const deniedStep = storedSteps(stack.app.databasePath, denied.id).find(
      (step) => step.payload?.type === 'denial',
    );
    expect(deniedStep).toMatchObject({ kind: 'system', isError: true, toolName: 'Bash' });

    const patched = await api.call('PATCH', `/api/agents/${agent.id}`, { additionalDirectories: ['/etc'] });
    expect(patched.status).toBe(200);
    const { status, body } = await api.call('POST', `/api/executions/${denied.id}/rerun`);
    expect(status).toBe(201);
    const allowed = await api.waitForEnd(execution(body).id);
    expect(allowed).toMatchObject({ status: 'completed', deniedToolCalls: 0, warnings: [], trigger: 'api' });
    expect(
      toolResults(allowed.id)
        .map((step) => step.summary)
        .join('\n'),
    ).toContain(hostname);

    const denials = await api.call('GET', `/api/agents/${agent.id}`);
    expect(denials.body).toMatchObject({
      recentDenials: {
        runs: 2,
        runsWithDenials: 1,
        deniedToolCalls: 1,
        tools: [{ toolName: 'Bash', count: 1 }],
      },
    });
  });

  it('a deny rule is never asked about, even for an agent that asks', async () => {
    const { api, model } = stack;
    const key = keyFor('deny-rule');
    model.script(key, [bashCall('rm -rf build'), answer('could not clean')]);
    const agent = await approvals.askingAgent(key, { deniedTools: ['Bash(rm:*)'] });
    const run = await api.waitForEnd(await api.startExecution(agent.id));
    expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 1 });
    expect((await approvals.approvals(`executionId=${run.id}`)).items).toEqual([]);
  });
});

describe('a call that needs a person, answered within the hold', () => {
  it('waits as awaiting_approval, and an approval through the API runs the real command in the same process', async () => {
    const { api, model } = stack;
    const key = keyFor('allow');
    model.script(key, [bashCall(`touch made-${key} && echo made-${key}`), answer('done')]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);

    const pending = await approvals.pendingOf(id);
    expect(pending).toMatchObject({
      executionId: id,
      agentName: agent.name,
      toolName: 'Bash',
      input: { command: `touch made-${key} && echo made-${key}` },
      status: 'pending',
      decision: null,
      onTimeout: 'deny',
    });
    expect(pending.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(pending.expiresAt - pending.requestedAt).toBe(60 * 60_000);
    expect((await api.getExecution(id)).status).toBe('awaiting_approval');

    const decided = await approvals.decide(pending.id, { decision: 'allow' });
    expect(decided.status).toBe(200);
    expect(approval(decided.body)).toMatchObject({
      status: 'allowed',
      decision: { decision: 'allow', decidedVia: 'bearer', decidedChannel: 'api', message: null },
    });

    const run = await api.waitForEnd(id);
    expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 0 });
    expect(
      toolResults(id)
        .map((step) => step.summary)
        .join('\n'),
    ).toContain(`made-${key}`);
    // Answered in the callback: no resume, no prompt telling the session about it.
    expect(approvals.requestsFor(key)).toHaveLength(2);
    expect(JSON.stringify(model.requests.map((request) => request.body))).not.toContain(
      `[ClaudeOps] A person approved`,
    );

    const second = await approvals.decide(pending.id, { decision: 'deny', message: 'too late' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      error: {
        code: 'conflict',
        message: expect.stringMatching(/^Approval \d+ was already allowed \(bearer, api\) at /),
      },
    });
  });

  it('a deny reaches the model with its message, and the run shows the denial', async () => {
    const { api } = stack;
    const key = keyFor('deny');
    stack.model.script(key, [bashCall(`touch nope-${key}`), answer('understood, skipping it')]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);
    const pending = await approvals.pendingOf(id);
    const denied = await approvals.decide(pending.id, {
      decision: 'deny',
      message: 'Not on this machine, please',
    });
    expect(approval(denied.body)).toMatchObject({
      status: 'denied',
      decision: { message: 'Not on this machine, please' },
    });

    const run = await api.waitForEnd(id);
    expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 1 });
    expect(run.denials[0]).toMatchObject({ reason: 'person', message: 'Not on this machine, please' });
    expect(run.warnings.map((warning) => warning.code)).toEqual(['all_tool_calls_denied']);
    const told = approvals.requestsFor(key).at(-1);
    expect(told && toolResultsIn(told).join('\n')).toContain('Not on this machine, please');
    expect(fs.existsSync(`${stack.app.dataDir}/runs/${id}/work/nope-${key}`)).toBe(false);
  });

  it('"edit and approve" runs the edited input; "approve and remember" saves the suggested rule, revocable', async () => {
    const { api, model } = stack;
    const key = keyFor('edit');
    model.script(key, [
      bashCall(`touch original-${key}`),
      answer('ok'),
      bashCall(`touch again-${key}`),
      answer('ok'),
    ]);
    const agent = await approvals.askingAgent(key);

    const first = await api.startExecution(agent.id);
    const asked = await approvals.pendingOf(first);
    const edited = await approvals.decide(asked.id, {
      decision: 'allow',
      updatedInput: { command: `echo edited-${key}` },
    });
    expect(approval(edited.body).decision?.updatedInput).toEqual({ command: `echo edited-${key}` });
    await api.waitForEnd(first);
    const ran = toolResults(first)
      .map((step) => step.summary)
      .join('\n');
    expect(ran).toContain(`edited-${key}`);

    const second = await api.startExecution(agent.id);
    const again = await approvals.pendingOf(second);
    expect(again.suggestedRules.length).toBeGreaterThan(0);
    const remembered = await approvals.decide(again.id, { decision: 'allow', remember: true });
    expect(approval(remembered.body).decision?.rememberedRules).toEqual(again.suggestedRules);
    await api.waitForEnd(second);
    const saved = (await api.call('GET', `/api/agents/${agent.id}`)).body as { agent: AgentDto };
    expect(saved.agent.rememberedTools).toEqual(again.suggestedRules);

    const revoked = await api.call('PATCH', `/api/agents/${agent.id}`, { rememberedTools: [] });
    expect((revoked.body as { agent: AgentDto }).agent.rememberedTools).toEqual([]);
  });

  it('refuses bad answers with 400 naming the field, and unknown approvals with 404', async () => {
    const { api } = stack;
    const key = keyFor('bad');
    stack.model.script(key, [bashCall(`touch bad-${key}`), answer('ok')]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);
    const pending = await approvals.pendingOf(id);
    const cases: [unknown, string][] = [
      [{}, 'decision'],
      [{ decision: 'maybe' }, 'decision'],
      [{ decision: 'allow', message: 'why' }, 'message'],
      [{ decision: 'deny', updatedInput: { command: 'ls' } }, 'updatedInput'],
      [{ decision: 'deny', remember: true }, 'remember'],
      [{ decision: 'allow', updatedInput: 'ls' }, 'updatedInput'],
      [{ decision: 'deny', message: '' }, 'message'],
      [{ decision: 'allow', extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const answered = await approvals.decide(pending.id, body);
      expect(answered.status, JSON.stringify(body)).toBe(400);
      expect(answered.body).toMatchObject({ error: { code: 'invalid_request' } });
      if (field) expect(JSON.stringify(answered.body)).toContain(`"path":"${field}"`);
    }
    expect((await approvals.decide(999_999, { decision: 'allow' })).status).toBe(404);
    expect((await approvals.approvals('status=pending')).items.map((item) => item.id)).toContain(pending.id);
    await approvals.decide(pending.id, { decision: 'deny' });
    const ended = await api.waitForEnd(id);
    // A deny without a message still tells the model something.
    expect(ended.denials[0]?.message).toBe('A person denied this tool call.');
  });
});

describe('a call nobody answers within the hold', () => {
  it('parks the run without a process, and an answer later resumes its session with the approved call', async () => {
    const { api, model } = stack;
    const key = keyFor('park');
    const command = `touch parked-${key} && echo parked-ran-${key}`;
    model.script(key, [bashCall(command), bashCall(command), answer('done after the approval')]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);
    const pending = await approvals.pendingOf(id);
    await parked(id);
    // Waiting without a process: none of the run's is left.
    await eventually(
      'the parked run to have no process',
      async () => agentPids(stack.app.databasePath, id).length === 0,
    );
    const waiting = await api.getExecution(id);
    expect(waiting.status).toBe('awaiting_approval');

    await approvals.decide(pending.id, { decision: 'allow' });
    const run = await api.waitForEnd(id);
    expect(run).toMatchObject({ status: 'completed', deniedToolCalls: 0, warnings: [] });
    expect(
      toolResults(id)
        .map((step) => step.summary)
        .join('\n'),
    ).toContain(`parked-ran-${key}`);
    // The resumed session carried the earlier turns, and was told the answer.
    const resumed = approvals.requestsFor(key)[1];
    const sent = JSON.stringify(resumed?.body);
    expect(sent).toContain(`Do the work ${key}`);
    expect(sent).toContain('[ClaudeOps] A person approved your Bash call');
    expect((await approvals.approvals(`executionId=${id}`)).items[0]?.status).toBe('allowed');
  });

  it('a parked run can be cancelled; its approval is then dropped', async () => {
    const { api } = stack;
    const key = keyFor('cancel-parked');
    stack.model.script(key, [bashCall(`touch never-${key}`)]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);
    const pending = await approvals.pendingOf(id);
    await parked(id);
    const cancelled = await api.call('POST', `/api/executions/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    const run = await api.waitForEnd(id);
    expect(run).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    const dropped = await approvals.decide(pending.id, { decision: 'allow' });
    expect(dropped.status).toBe(409);
    expect(JSON.stringify(dropped.body)).toContain('no longer waits: its run ended');
  });

  it('holds a schedule with overlap skip: no second run fires while the first awaits approval', async () => {
    const { api } = stack;
    const key = keyFor('overlap');
    stack.model.script(key, [bashCall(`touch sched-${key}`)], { repeatLast: true });
    const agent = await approvals.askingAgent(key);
    const created = await api.call('POST', '/api/schedules', {
      agentId: agent.id,
      cronExpression: '* * * * * *',
      overlapPolicy: 'skip',
    });
    expect(created.status).toBe(201);
    const scheduleId = (created.body as { schedule: { id: number } }).schedule.id;
    const firings = async () =>
      (
        (await api.call('GET', `/api/schedules/${scheduleId}/firings`)).body as {
          items: { outcome: string; executionId: number | null; reason: string }[];
        }
      ).items;
    const first = await eventually('the first firing', async () =>
      (await firings()).find((firing) => firing.outcome === 'started'),
    );
    const runId = first.executionId ?? 0;
    await approvals.pendingOf(runId);
    await parked(runId);
    const skipped = await eventually('a firing skipped while the run is parked', async () =>
      (await firings()).find(
        (firing) => firing.outcome === 'skipped_overlap' && firing.reason.includes('awaiting_approval'),
      ),
    );
    expect(skipped.reason).toBe(
      `Skipped: run #${runId} from this schedule is still awaiting_approval (overlap policy: skip)`,
    );
    await api.call('PATCH', `/api/schedules/${scheduleId}`, { enabled: false });
    expect((await firings()).filter((firing) => firing.outcome === 'started')).toHaveLength(1);
    await api.call('POST', `/api/executions/${runId}/cancel`);
    await api.waitForEnd(runId);
  });
});

describe('approve from a notification', () => {
  it('sends one-time links that decide once, on POST, without a session, and refuse an altered link', async () => {
    const { api, app } = stack;
    const key = keyFor('link');
    stack.model.script(key, [
      bashCall(`echo linked-${key} > /dev/null && touch linked-${key}`),
      answer('ok'),
    ]);
    const agent = await approvals.askingAgent(key);
    const channel = await api.call('POST', '/api/notification-channels', {
      type: 'webhook',
      name: `links ${key}`,
      url: `${receiver.url}/${key}`,
      events: ['approval.requested'],
      agentIds: [agent.id],
    });
    expect(channel.status).toBe(201);
    const channelId = (channel.body as { channel: { id: number } }).channel.id;
    const id = await api.startExecution(agent.id);
    const pending = await approvals.pendingOf(id);
    const sent = await eventually('the approval.requested webhook', async () =>
      receiver.requests.find((request) => request.path === `/${key}`),
    );
    const body = JSON.parse(sent.body) as { type: string; actions: { label: string; url: string }[] };
    expect(body.type).toBe('approval.requested');
    expect(body.actions.map((action) => action.label)).toEqual(['Approve', 'Deny']);
    const [approveUrl = '', denyUrl = ''] = body.actions.map((action) => action.url);
    expect(approveUrl.startsWith(`${app.url}/approve/`)).toBe(true);
    const token = approveUrl.slice(`${app.url}/approve/`.length);
    const denyToken = denyUrl.slice(`${app.url}/approve/`.length);

    // Opening the link (as a preview or a scanner would) shows what will be decided, and decides nothing.
    const page = await fetch(approveUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`touch linked-${key}`);
    expect((await approvals.pendingOf(id)).id).toBe(pending.id);

    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const forged = await fetch(`${app.url}/api/approval-links/${altered}`, { method: 'POST' });
    expect(forged.status).toBe(404);
    expect(await forged.json()).toMatchObject({ error: { code: 'invalid_link' } });
    // The link is good for its own decision only: not for the API.
    expect((await fetch(`${app.url}/api/approvals/${pending.id}`)).status).toBe(401);

    const used = await fetch(`${app.url}/api/approval-links/${token}`, { method: 'POST' });
    expect(used.status).toBe(200);
    expect(await used.json()).toMatchObject({
      approval: {
        status: 'allowed',
        decision: { decidedVia: 'link', decidedChannel: `webhook #${channelId}` },
      },
    });
    const twice = await fetch(`${app.url}/api/approval-links/${token}`, { method: 'POST' });
    expect(twice.status).toBe(409);
    const otherHalf = await fetch(`${app.url}/api/approval-links/${denyToken}`, { method: 'POST' });
    expect(otherHalf.status).toBe(409);
    expect(await (await fetch(approveUrl)).text()).toContain('no longer pending: it was allowed');
    expect(await api.waitForEnd(id)).toMatchObject({ status: 'completed' });
  });
});

describe('the approvals topic', () => {
  it('gives a subscriber the pending approvals with counts, then every change live', async () => {
    const { api, app } = stack;
    const key = keyFor('topic');
    stack.model.script(key, [bashCall(`touch topic-${key}`), answer('ok')]);
    const agent = await approvals.askingAgent(key);
    const socket = await connectRecording(app.url);
    try {
      socket.send({ type: 'subscribe', topic: 'approvals' });
      await socket.waitFor(
        (frame): frame is typeof frame => frame.type === 'subscribed' && frame.topic === 'approvals',
      );
      const id = await api.startExecution(agent.id);
      const asked = await socket.waitFor(
        (frame): frame is Extract<typeof frame, { type: 'approval.updated' }> =>
          frame.type === 'approval.updated' &&
          frame.approval.executionId === id &&
          frame.approval.status === 'pending',
      );
      expect(asked.counts.pending).toBeGreaterThanOrEqual(1);
      await approvals.decide(asked.approval.id, { decision: 'allow' });
      const answered = await socket.waitFor(
        (frame): frame is Extract<typeof frame, { type: 'approval.updated' }> =>
          frame.type === 'approval.updated' &&
          frame.approval.id === asked.approval.id &&
          frame.approval.status === 'allowed',
      );
      expect(answered.counts.pending).toBe(asked.counts.pending - 1);
      await api.waitForEnd(id);
    } finally {
      await socket.close();
    }
  });
});

describe('continue and re-run', () => {
  it('continues a finished run on the same session: the model gets the earlier turns; the chain and its cost show', async () => {
    const { api, model } = stack;
    const key = keyFor('continue');
    model.script(key, [
      answer(`first answer ${key}`),
      answer(`second answer ${key}`),
      answer('forked answer'),
    ]);
    const agent = await api.createAgent({ defaultPrompt: `Start ${key}` });
    const parent = await api.waitForEnd(await api.startExecution(agent.id));
    expect(parent.status).toBe('completed');

    const preview = (await api.call('GET', `/api/executions/${parent.id}/continue`)).body as {
      preview: ContinuePreview;
    };
    expect(preview.preview).toMatchObject({
      executionId: parent.id,
      available: true,
      reason: null,
      sessionId: parent.sessionId,
      cacheTtlMs: 300_000,
      cacheWarm: true,
      model: 'claude-sonnet-4-5',
      unpriced: false,
    });
    expect(preview.preview.transcriptEntries).toBeGreaterThan(0);
    expect(preview.preview.contextTokens).toBeGreaterThan(0);
    expect(preview.preview.estimatedFirstTurnCostUsd).toBeGreaterThan(0);

    const started = await api.call('POST', `/api/executions/${parent.id}/continue`, {
      prompt: `And then? ${key}`,
    });
    expect(started.status).toBe(201);
    const child = await api.waitForEnd(execution(started.body).id);
    expect(child).toMatchObject({
      status: 'completed',
      trigger: 'continue',
      parentExecutionId: parent.id,
      forked: false,
      sessionId: parent.sessionId,
      warnings: [],
    });
    const continued = approvals.requestsFor(key).at(-1);
    const sent = JSON.stringify(continued?.body);
    expect(sent).toContain(`first answer ${key}`);
    expect(sent).toContain(`And then? ${key}`);
    expect(child.chain).toEqual({
      rootId: parent.id,
      executions: [
        expect.objectContaining({ id: parent.id, parentExecutionId: null, trigger: 'api' }),
        expect.objectContaining({ id: child.id, parentExecutionId: parent.id, trigger: 'continue' }),
      ],
      totalCostUsd: expect.closeTo(parent.costUsd + child.costUsd, 9),
    });

    const fork = await api.call('POST', `/api/executions/${parent.id}/continue`, {
      prompt: `Fork it ${key}`,
      fork: true,
    });
    const forked = await api.waitForEnd(execution(fork.body).id);
    expect(forked).toMatchObject({
      status: 'completed',
      forked: true,
      parentExecutionId: parent.id,
      warnings: [],
    });
    expect(forked.sessionId).not.toBe(parent.sessionId);
  });

  it('continues a run a budget stopped once its cap is raised, and a cancelled one', async () => {
    const { api, model } = stack;
    const key = keyFor('budget');
    model.script(key, [
      { content: [{ type: 'text', text: 'expensive' }], usage: { input_tokens: 20_000, output_tokens: 10 } },
      answer(`after the raise ${key}`),
    ]);
    const agent = await api.createAgent({ defaultPrompt: `Spend ${key}`, maxCostPerRunUsd: 0.01 });
    const stopped = await api.waitForEnd(await api.startExecution(agent.id));
    expect(stopped.status).toBe('budget_exceeded');
    await api.call('PATCH', `/api/agents/${agent.id}`, { maxCostPerRunUsd: 10 });
    const resumed = await api.call('POST', `/api/executions/${stopped.id}/continue`, {
      prompt: `Go on ${key}`,
    });
    expect(resumed.status).toBe(201);
    expect(await api.waitForEnd(execution(resumed.body).id)).toMatchObject({ status: 'completed' });

    const hangKey = keyFor('cancelled');
    model.script(hangKey, [{ kind: 'hang' }, answer(`picked up ${hangKey}`)]);
    const hanging = await api.createAgent({ defaultPrompt: `Hang ${hangKey}` });
    const id = await api.startExecution(hanging.id);
    await approvals.waitForStatus(id, 'running');
    await eventually('the session to start', async () => (await api.getExecution(id)).sessionId);
    // Cancelled while the model holds its turn: cancelled before the request went out (a loaded
    // machine), the continuation would be the one served the hang.
    await eventually('the model to hold the turn', async () => model.remaining(hangKey) === 1);
    await api.call('POST', `/api/executions/${id}/cancel`);
    expect((await api.waitForEnd(id)).status).toBe('cancelled');
    const after = await api.call('POST', `/api/executions/${id}/continue`, {
      prompt: `Try again ${hangKey}`,
    });
    expect(after.status).toBe(201);
    expect(await api.waitForEnd(execution(after.body).id)).toMatchObject({ status: 'completed' });
  });

  it('refuses to continue a run that is still active or never had a session, and bad bodies with 400', async () => {
    const { api } = stack;
    const key = keyFor('refuse');
    stack.model.script(key, [bashCall(`touch refuse-${key}`)]);
    const agent = await approvals.askingAgent(key);
    const id = await api.startExecution(agent.id);
    await approvals.pendingOf(id);
    const active = await api.call('POST', `/api/executions/${id}/continue`, { prompt: 'more' });
    expect(active.status).toBe(409);
    expect(JSON.stringify(active.body)).toContain('is still awaiting_approval');
    for (const [body, field] of [
      [{}, 'prompt'],
      [{ prompt: '   ' }, 'prompt'],
      [{ prompt: 'x', fork: 'yes' }, 'fork'],
      [{ prompt: 'x', extra: true }, ''],
    ] as const) {
      const answered = await api.call('POST', `/api/executions/${id}/continue`, body);
      expect(answered.status, JSON.stringify(body)).toBe(400);
      if (field) expect(JSON.stringify(answered.body)).toContain(`"path":"${field}"`);
    }
    expect((await api.call('POST', '/api/executions/999999/continue', { prompt: 'x' })).status).toBe(404);
    await api.call('POST', `/api/executions/${id}/cancel`);
    await api.waitForEnd(id);
  });

  it('re-runs a run with its prompt, or with another one', async () => {
    const { api } = stack;
    const key = keyFor('rerun');
    stack.model.script(key, [answer('one'), answer('two'), answer('three')]);
    const agent = await api.createAgent({ defaultPrompt: `Report ${key}` });
    const first = await api.waitForEnd(await api.startExecution(agent.id, `Report today ${key}`));
    const same = await api.call('POST', `/api/executions/${first.id}/rerun`);
    expect(same.status).toBe(201);
    const again = await api.waitForEnd(execution(same.body).id);
    expect(again).toMatchObject({
      status: 'completed',
      prompt: `Report today ${key}`,
      parentExecutionId: null,
    });
    const other = await api.call('POST', `/api/executions/${first.id}/rerun`, {
      prompt: `Report yesterday ${key}`,
    });
    expect((await api.waitForEnd(execution(other.body).id)).prompt).toBe(`Report yesterday ${key}`);
    expect((await api.call('POST', `/api/executions/${first.id}/rerun`, { prompt: '' })).status).toBe(400);
  });
});
