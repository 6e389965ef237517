import type { AgentDto } from '../../src/lib/contracts/agents';
import { structuredOutputTurn } from './scriptedModelServer';
import type { TestStack } from './stack';
import { workflowApi } from './workflowApi';

/** The records a seeded console holds, for the pages that show one of them. */
export interface ConsoleSeed {
  agent: AgentDto;
  /** A run with a tool call (its output coloured with ANSI codes) and a text answer. */
  toolRunId: number;
  /** A run the model refused: an error on its page. */
  failedRunId: number;
  /** The health reporter's run, with a structured report. */
  healthRunId: number;
  scheduleId: number;
  workflowId: number;
  workflowRunId: number;
  channelId: number;
  /** A run whose Edit call waits for a person (a diff on its card). */
  waitingRunId: number;
}

async function created(
  stack: TestStack,
  path: string,
  body: unknown,
  key: 'schedule' | 'channel',
): Promise<number> {
  const { status, body: answer } = await stack.api.call('POST', path, body);
  if (status !== 201) throw new Error(`POST ${path} failed: ${status} ${JSON.stringify(answer)}`);
  return (answer as Record<typeof key, { id: number }>)[key].id;
}

/**
 * Fills a fresh server with one of everything the console shows: agents and their runs (finished,
 * failed, a health report), a paused and an active schedule, a workflow and its run, a channel.
 * Each model turn is scripted, so the pages look the same every time.
 */
export async function seedConsole(stack: TestStack): Promise<ConsoleSeed> {
  const { api, model } = stack;
  model.script('[seed:tool]', [
    {
      content: [
        { type: 'text', text: 'Let me look at the disks first.' },
        {
          type: 'tool_use',
          name: 'Bash',
          input: { command: "printf '\\033[32mok\\033[0m disk / 42%% used\\n'" },
        },
      ],
      usage: { input_tokens: 12_400, output_tokens: 180 },
    },
    {
      content: [{ type: 'text', text: 'All disks are below 50%. Nothing to clean up.' }],
      usage: { input_tokens: 12_900, output_tokens: 60 },
    },
  ]);
  model.script(
    '[seed:refused]',
    [{ kind: 'http_error', status: 400, errorType: 'invalid_request_error', message: 'prompt is too long' }],
    {
      repeatLast: true,
    },
  );
  model.script('[seed:health]', [
    structuredOutputTurn({
      status: 'warning',
      summary: 'The root disk fills within ten days.',
      findings: [
        { area: 'disk /', severity: 'warning', message: '80% full, growing 2 GiB a day' },
        { area: 'memory', severity: 'info', message: '25% available' },
      ],
      recommendations: ['Clear old logs under /var/log'],
    }),
  ]);
  model.script('[seed:ask]', [
    {
      content: [
        {
          type: 'tool_use',
          name: 'Write',
          input: {
            file_path: 'logrotate.conf',
            content: '/var/log/app/*.log {\n  weekly\n  rotate 4\n  compress\n}\n',
          },
        },
      ],
    },
    { content: [{ type: 'text', text: 'Rotation set up.' }] },
  ]);
  model.script('[seed:step]', [{ content: [{ type: 'text', text: 'Step done.' }] }], { repeatLast: true });

  const agent = await api.createAgent({
    name: 'Log sweeper',
    description: 'Looks for full disks and old logs.',
    defaultPrompt: 'Sweep the logs [seed:tool]',
    allowedTools: ['Bash'],
  });
  const toolRunId = await api.startExecution(agent.id);
  await api.waitForEnd(toolRunId);
  const failedRunId = await api.startExecution(agent.id, 'Read everything [seed:refused]');
  await api.waitForEnd(failedRunId);
  const health = await api.healthReporter();
  const healthRunId = await api.startExecution(health.id, 'Check the machine [seed:health]');
  await api.waitForEnd(healthRunId);

  const asking = await api.createAgent({
    name: 'Log rotator',
    description: 'Sets up log rotation; asks before writing.',
    defaultPrompt: 'Set up rotation [seed:ask]',
    unlistedTools: 'ask',
  });
  const waitingRunId = await api.startExecution(asking.id);
  await waitForPendingApproval(stack, waitingRunId);

  const scheduleId = await created(
    stack,
    '/api/schedules',
    {
      agentId: agent.id,
      name: 'Yearly sweep',
      cronExpression: '0 3 1 1 *',
      timezone: 'Europe/Paris',
      enabled: true,
    },
    'schedule',
  );
  await created(
    stack,
    '/api/schedules',
    {
      agentId: agent.id,
      name: 'Weekly deep sweep',
      cronExpression: '0 4 * * 0',
      timezone: 'UTC',
      enabled: false,
    },
    'schedule',
  );

  const workflows = workflowApi(api);
  const workflow = await workflows.create({
    name: 'Disk report',
    description: 'Sweeps, then summarises.',
    steps: [
      { key: 'sweep', agentId: agent.id, prompt: 'Sweep [seed:step]' },
      {
        key: 'summarise',
        agentId: agent.id,
        prompt: 'Summarise {{steps.sweep.result}} [seed:step]',
        dependsOn: ['sweep'],
      },
    ],
  });
  const run = await workflows.start(workflow.id);
  await workflows.waitFor(run.id);

  const channelId = await created(
    stack,
    '/api/notification-channels',
    {
      type: 'ntfy',
      name: 'Ops phone',
      url: 'http://127.0.0.1:9/ops',
      events: ['run.failed', 'health.warning'],
    },
    'channel',
  );
  return {
    agent,
    toolRunId,
    failedRunId,
    healthRunId,
    scheduleId,
    workflowId: workflow.id,
    workflowRunId: run.id,
    channelId,
    waitingRunId,
  };
}

async function waitForPendingApproval(stack: TestStack, executionId: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { body } = await stack.api.call('GET', `/api/approvals?status=pending&executionId=${executionId}`);
    if ((body as { items: unknown[] }).items.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`run ${executionId} never asked for its Write call`);
}
