import fs from 'node:fs';
import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import type WebSocket from 'ws';
import { jsonSchemaOf } from '../src/agents/structuredOutput';
import { healthReportSchema } from '../src/lib/contracts/healthReports';
import type { ScriptedModelServer, ScriptedTurn } from '../tests/helpers/scriptedModelServer';
import { type E2eStack, PROFILE_DIR } from './e2eStack';
import {
  bareQueryLoop,
  bareQueryOptions,
  between,
  domProbeLog,
  endings,
  gate,
  latencyLine,
  type ProbeFilter,
  ProbeLog,
  type ProbeTimes,
  probeOrigins,
  probeText,
  stampedProbeCommand,
  subscribe,
  WATCH_DOM_PROBES,
} from './liveProbes';
import { stdoutSeen, tapAgentStdout } from './serverProbe.mjs';
import { sized } from './smoke';
import { ms, percentile } from './stats';

/** Tool turns of the worker run (a text block and a Bash call each; every other command sleeps 300 ms). */
const WORKER_TOOL_TURNS = sized(30, 4);
/** Text blocks of the worker's final answer (the text turn). */
const ANSWER_BLOCKS = sized(30, 4);
/** Tool turns of the health reporter run before its structured answer (it stops at 12 turns). */
const HEALTH_TOOL_TURNS = sized(10, 2);
const ROUNDS = sized(Number(process.env.LIVE_ROUNDS ?? 2), 1);
const WS_SUBSCRIBERS = 19;
const CHUNK_DELAY_MS = 10;

const HEALTHY_REPORT = {
  status: 'ok',
  summary: 'Load, memory and disks are normal.',
  findings: [],
  recommendations: [],
};

/**
 * Probe kinds: B the model's text in a worker tool turn, R a tool's output (stamped by its
 * command), T a block of the worker's final answer, H the model's text in a health reporter tool
 * turn, O its text in the structured-output turn.
 */
const CATEGORIES = [
  { label: 'text turns (answer blocks)', kinds: 'T' },
  { label: 'tool turns: the model text', kinds: 'BHO' },
  { label: 'tool turns: the tool output', kinds: 'R' },
] as const;

const worker = (tag: string, holdUntil?: Promise<unknown>): ScriptedTurn[] => [
  ...Array.from({ length: WORKER_TOOL_TURNS }, (_, i): ScriptedTurn => {
    const stamped = stampedProbeCommand(tag, i);
    const command = i % 2 === 1 ? `sleep 0.3; ${stamped}` : stamped;
    return {
      content: [
        { type: 'text', text: probeText(tag, 'B', i) },
        { type: 'tool_use', name: 'Bash', input: { command, description: 'Print a probe' } },
      ],
      chunkDelayMs: CHUNK_DELAY_MS,
      holdUntil: i === 0 ? holdUntil : undefined,
    };
  }),
  {
    content: Array.from({ length: ANSWER_BLOCKS }, (_, i) => ({
      type: 'text' as const,
      text: probeText(tag, 'T', i),
    })),
    chunkDelayMs: CHUNK_DELAY_MS,
  },
];

const healthCheck = (tag: string, holdUntil?: Promise<unknown>): ScriptedTurn[] => [
  ...Array.from(
    { length: HEALTH_TOOL_TURNS },
    (_, i): ScriptedTurn => ({
      content: [
        { type: 'text', text: probeText(tag, 'H', i) },
        { type: 'tool_use', name: 'Bash', input: { command: 'uptime', description: 'Load' } },
      ],
      chunkDelayMs: CHUNK_DELAY_MS,
      holdUntil: i === 0 ? holdUntil : undefined,
    }),
  ),
  {
    // The structured answer is a call of Claude Code's StructuredOutput tool.
    content: [
      { type: 'text', text: probeText(tag, 'O', 0) },
      { type: 'tool_use', name: 'StructuredOutput', input: HEALTHY_REPORT },
    ],
    chunkDelayMs: CHUNK_DELAY_MS,
  },
];

/** Two-letter run tags: side (f floor, c ClaudeOps), then the round's worker or health run. */
const tagOf = (side: 'f' | 'c', round: number, run: 'worker' | 'health') =>
  `${side}${String.fromCharCode(97 + round * 2 + (run === 'health' ? 1 : 0))}`;

/** The floor: the same two runs as bare `query()` loops in this process, at once. */
async function measureFloor(model: ScriptedModelServer, round: number, probes: ProbeLog): Promise<void> {
  const [workerTag, healthTag] = [tagOf('f', round, 'worker'), tagOf('f', round, 'health')];
  model.script(`[bench:${workerTag}]`, worker(workerTag));
  model.script(`[bench:${healthTag}]`, healthCheck(healthTag));
  // As the agents are configured: Claude Code's system prompt, Bash, dontAsk.
  const systemPrompt = { type: 'preset', preset: 'claude_code' } as const;
  await Promise.all([
    bareQueryLoop(
      `Work [bench:${workerTag}]`,
      bareQueryOptions(model, { systemPrompt, tools: ['Bash'], allowedTools: ['Bash'] }),
      probes,
    ),
    bareQueryLoop(
      `Check the machine [bench:${healthTag}]`,
      bareQueryOptions(model, {
        systemPrompt,
        tools: ['Bash'],
        allowedTools: ['Bash(uptime:*)'],
        outputFormat: { type: 'json_schema', schema: jsonSchemaOf(healthReportSchema) },
      }),
      probes,
    ),
  ]);
}

interface ServerTrace {
  loop: { p50: number; p99: number; max: number };
  /** The server's CPU time over the window (all its threads). */
  cpuMs: number;
  frames: Record<string, { frames: number; bytes: number }>;
  stdoutSeen: Record<string, number>;
  framesSent: Record<string, number>;
}

/** Opens the server probe's window (see serverProbe.mjs); the function it returns closes and reads it. */
function openServerTrace({ app, probeFile: file }: E2eStack): () => Promise<ServerTrace> {
  app.process.kill('SIGUSR2');
  return async () => {
    app.process.kill('SIGUSR2');
    for (let waited = 0; !fs.existsSync(file) && waited < 5_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const trace = JSON.parse(fs.readFileSync(file, 'utf8')) as ServerTrace;
    fs.rmSync(file);
    return trace;
  };
}

interface Round {
  sockets: ProbeLog[];
  dom: ProbeLog;
  trace: ServerTrace;
  /** What the tab's renderer spent over the window, by kind (Chrome's Performance domain), in ms. */
  tab: Record<string, number>;
  wallMs: number;
}

const TAB_METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const;

async function tabMetrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(
    metrics
      .filter((m) => (TAB_METRICS as readonly string[]).includes(m.name))
      .map((m) => [m.name, m.value * 1e3]),
  );
}

/** Both runs through ClaudeOps at once, 19 sockets on both, a Chromium tab on the worker's page. */
async function measureClaudeOps(
  stack: E2eStack,
  page: Page,
  agents: { worker: number; health: number },
  round: number,
): Promise<Round> {
  const { model, app, api } = stack;
  const [workerTag, healthTag] = [tagOf('c', round, 'worker'), tagOf('c', round, 'health')];
  // The first responses wait until the tab and the sockets are subscribed.
  const watching = gate();
  model.script(`[bench:${workerTag}]`, worker(workerTag, watching.opened));
  model.script(`[bench:${healthTag}]`, healthCheck(healthTag, watching.opened));
  const ids = [
    await api.startExecution(agents.worker, `Work [bench:${workerTag}]`),
    await api.startExecution(agents.health, `Check the machine [bench:${healthTag}]`),
  ];
  // The end is heard on a socket: polling the API would load the server the bench measures.
  const ended = endings(ids);
  const socketProbes = Array.from({ length: WS_SUBSCRIBERS }, () => new ProbeLog());
  const sockets: WebSocket[] = await Promise.all(
    socketProbes.map((probes, i) => subscribe(app.url, ids, probes, i === 0 ? ended.onFrame : undefined)),
  );
  await page.goto(`${app.url}/executions/${ids[0]}`);
  await page.evaluate(WATCH_DOM_PROBES);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const tabBefore = await tabMetrics(cdp);
  if (PROFILE_DIR) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const started = performance.now();
  const closeTrace = openServerTrace(stack);
  watching.open();
  await ended.all;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const trace = await closeTrace();
  const wallMs = performance.now() - started;
  const tabAfter = await tabMetrics(cdp);
  if (PROFILE_DIR) {
    const { profile } = await cdp.send('Profiler.stop');
    fs.writeFileSync(path.join(PROFILE_DIR, `tab-round-${round + 1}.cpuprofile`), JSON.stringify(profile));
  }
  const tab = Object.fromEntries(
    TAB_METRICS.map((name) => [name, (tabAfter[name] ?? 0) - (tabBefore[name] ?? 0)]),
  );
  await cdp.detach();
  const domSeen = await page.evaluate(
    () => (window as unknown as { probesSeen: Record<string, number> }).probesSeen,
  );
  for (const socket of sockets) socket.close();
  return { sockets: socketProbes, dom: domProbeLog(domSeen), trace, tab, wallMs };
}

/**
 * The live path of real runs: a worker agent's tool turns (a text block and a Bash call, short
 * or 300 ms) and its streamed answer, beside the System Health Reporter's tool turns and its
 * structured answer (its PreToolUse guard and in-process tools included), two runs at once, with
 * the metrics collector, the run sampler and the scheduler running as the server runs them,
 * 19 WebSocket subscribers and a Chromium tab. Against the same two runs as bare `query()` loops
 * in the same round.
 */
export async function benchLiveRuns(stack: E2eStack): Promise<void> {
  tapAgentStdout();
  const { model, api } = stack;
  const agents = {
    worker: (await api.createAgent({ defaultPrompt: 'Work', allowedTools: ['Bash'], maxTurns: 100 })).id,
    health: (await api.healthReporter()).id,
  };
  const page = await stack.signedInPage();
  try {
    const floor = new ProbeLog();
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await measureFloor(model, round, floor);
      rounds.push(await measureClaudeOps(stack, page, agents, round));
    }
    report(model, floor, rounds);
  } finally {
    await page.close();
  }
}

const p50 = (samples: number[]) => ms(percentile(samples, 50));

/** Every probe time the round measured, by where it was taken. */
interface Timeline {
  origins: ProbeTimes;
  /** The agent process's stdout line, bare (this process) and in the server. */
  stdout: ProbeTimes;
  framesSent: ProbeTimes;
  floor: ProbeTimes;
  sockets: ProbeTimes[];
  /** The first of the sockets to get each probe. */
  firstSocket: ProbeTimes;
  dom: ProbeTimes;
}

function timeline(model: ScriptedModelServer, floor: ProbeLog, rounds: Round[]): Timeline {
  const socketLogs = rounds.flatMap((round) => round.sockets);
  const firstSocket = new Map<string, number>();
  for (const [id, at] of socketLogs.flatMap((probes) => [...probes.seen]))
    firstSocket.set(id, Math.min(at, firstSocket.get(id) ?? at));
  return {
    origins: probeOrigins(model, [floor, ...socketLogs]),
    stdout: new Map([...stdoutSeen, ...rounds.flatMap((round) => Object.entries(round.trace.stdoutSeen))]),
    framesSent: new Map(rounds.flatMap((round) => Object.entries(round.trace.framesSent))),
    floor: floor.seen,
    sockets: socketLogs.map((probes) => probes.seen),
    firstSocket,
    dom: new Map(rounds.flatMap((round) => [...round.dom.seen])),
  };
}

/** One kind of line: its latencies against the floor's, then where the time went. */
function reportCategory(
  t: Timeline,
  label: string,
  probes: { floor: ProbeFilter; ours: ProbeFilter; tab: ProbeFilter },
): void {
  const floor = between(t.origins, t.floor, probes.floor);
  const floorP50 = percentile(floor, 50);
  const dom = between(t.origins, t.dom, probes.tab);
  console.log(`  ${label}`);
  console.log(latencyLine('  (c) bare SDK query() loops (the floor)', floor, null));
  const sockets = t.sockets.flatMap((seen) => between(t.origins, seen, probes.ours));
  console.log(latencyLine(`  (a) the frame at ${WS_SUBSCRIBERS} WebSocket subscribers`, sockets, floorP50));
  if (dom.length > 0) console.log(latencyLine("  (b) the line in the tab's DOM (worker run)", dom, floorP50));
  const stages = [
    `send → agent stdout ${p50(between(t.origins, t.stdout, probes.floor))} bare, ${p50(between(t.origins, t.stdout, probes.ours))} ClaudeOps`,
    `stdout → loop ${p50(between(t.stdout, t.floor, probes.floor))}`,
    `stdout → frame sent ${p50(between(t.stdout, t.framesSent, probes.ours))}`,
    `sent → sockets ${p50(t.sockets.flatMap((seen) => between(t.framesSent, seen, probes.ours)))}`,
    ...(dom.length > 0 ? [`first socket → DOM ${p50(between(t.firstSocket, t.dom, probes.tab))}`] : []),
  ];
  console.log(`      where, p50: ${stages.join('; ')}`);
}

function roundLine(round: Round, i: number): string {
  const frames = Object.entries(round.trace.frames)
    .map(([type, { frames, bytes }]) => `${type} ${frames} (${(bytes / 1024).toFixed(0)} KiB)`)
    .join(', ');
  const tab = TAB_METRICS.map((name) => `${name.replace('Duration', '')} ${ms(round.tab[name] ?? 0)}`);
  return `  round ${i + 1}: ${(round.wallMs / 1000).toFixed(1)} s; server CPU ${ms(round.trace.cpuMs)}; frames sent ${frames}; tab ${tab.join(', ')}`;
}

function report(model: ScriptedModelServer, floor: ProbeLog, rounds: Round[]): void {
  const tags = (side: 'f' | 'c', runs: readonly ('worker' | 'health')[]) =>
    rounds.flatMap((_, round) => runs.map((run) => tagOf(side, round, run)));
  const t = timeline(model, floor, rounds);
  console.log(
    `Live path of real runs: a worker (${WORKER_TOOL_TURNS} tool turns, half of them 300 ms commands, then ${ANSWER_BLOCKS} answer blocks) and the health reporter (${HEALTH_TOOL_TURNS} tool turns, a structured answer) at once; ${WS_SUBSCRIBERS} sockets + 1 tab; ${rounds.length} round(s)`,
  );
  for (const { label, kinds } of CATEGORIES) {
    reportCategory(t, label, {
      floor: { runs: tags('f', ['worker', 'health']), kinds },
      ours: { runs: tags('c', ['worker', 'health']), kinds },
      tab: { runs: tags('c', ['worker']), kinds },
    });
  }
  for (const [i, round] of rounds.entries()) console.log(roundLine(round, i));
  // A run's pace, from its first probe's send to its last: a late tool start (a PreToolUse hook
  // answered late, say) shows here, not in a line's latency.
  const pace = (side: 'f' | 'c', run: 'worker' | 'health') =>
    tags(side, [run]).map((tag) => {
      const times = [...t.origins].filter(([id]) => id.startsWith(tag)).map(([, at]) => at);
      return `${((Math.max(...times) - Math.min(...times)) / 1000).toFixed(2)} s`;
    });
  const paces = (run: 'worker' | 'health') =>
    `${pace('f', run).join(', ')} bare, ${pace('c', run).join(', ')} ClaudeOps`;
  console.log(
    `  run pace, first probe to last: worker ${paces('worker')}; health reporter ${paces('health')}`,
  );
  const loops = rounds.map(
    ({ trace: { loop } }) => `p50 ${ms(loop.p50)} p99 ${ms(loop.p99)} max ${ms(loop.max)}`,
  );
  console.log(`  server event-loop delay while the runs ran: ${loops.join('; ')}`);
  console.log(
    '  targets: (a) p50 ≤ floor + 5 ms; (b) p50 ≤ floor + 20 ms; p99 ≤ 100 ms; event-loop delay p99 < 20 ms\n',
  );
}
