import type { ScriptedModelServer, ScriptedTurn } from '../tests/helpers/scriptedModelServer';
import type { E2eStack } from './e2eStack';
import {
  bareQueryLoop,
  bareQueryOptions,
  between,
  domProbeLog,
  endings,
  gate,
  latencyLine,
  ProbeLog,
  probeOrigins,
  probeText,
  subscribe,
  WATCH_DOM_PROBES,
} from './liveProbes';
import { sized } from './smoke';
import { percentile } from './stats';

/** Assistant messages per run: one text block each (the SDK yields one message per block). */
const MESSAGES = sized(200, 10);
const WS_SUBSCRIBERS = 19;
/** Between the model server's SSE events: a block every ~30 ms, like a model streaming short answers. */
const CHUNK_DELAY_MS = 10;
const TEXT = { kinds: 'T' };

function probeTurn(run: string, holdUntil?: Promise<unknown>): ScriptedTurn {
  const content = Array.from({ length: MESSAGES }, (_, i) => ({
    type: 'text' as const,
    text: probeText(run, 'T', i),
  }));
  return { content, holdUntil, chunkDelayMs: CHUNK_DELAY_MS };
}

/** (c) The floor: the same messages delivered to a bare `query()` loop in this process. */
async function measureFloor(model: ScriptedModelServer): Promise<ProbeLog> {
  model.script('[bench:live-floor]', [probeTurn('tf')]);
  const probes = new ProbeLog();
  await bareQueryLoop('Answer [bench:live-floor]', bareQueryOptions(model), probes);
  return probes;
}

/** (a) and (b): a run through ClaudeOps, watched by 19 sockets and one Chromium tab. */
async function measureClaudeOps(stack: E2eStack): Promise<{ sockets: ProbeLog[]; dom: ProbeLog }> {
  const { model, app, api } = stack;
  const key = '[bench:live-claudeops]';
  // The first response waits until the tab and the sockets are subscribed.
  const watching = gate();
  model.script(key, [probeTurn('tc', watching.opened)]);
  const agent = await api.createAgent({ defaultPrompt: `Answer ${key}`, allowedTools: [] });
  const id = await api.startExecution(agent.id);
  // The end is heard on a socket: polling the API would load the server the bench measures.
  const ended = endings([id]);
  const sockets = Array.from({ length: WS_SUBSCRIBERS }, () => new ProbeLog());
  const connections = await Promise.all(
    sockets.map((probes, i) => subscribe(app.url, [id], probes, i === 0 ? ended.onFrame : undefined)),
  );
  const page = await stack.signedInPage();
  try {
    await page.goto(`${app.url}/executions/${id}`);
    await page.evaluate(WATCH_DOM_PROBES);
    watching.open();
    await ended.all;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const domSeen = await page.evaluate(
      () => (window as unknown as { probesSeen: Record<string, number> }).probesSeen,
    );
    return { sockets, dom: domProbeLog(domSeen) };
  } finally {
    for (const connection of connections) connection.close();
    await page.close();
  }
}

/** From the model server's send of an assistant message to (a) a subscriber's frame, (b) the DOM, (c) a bare SDK loop. */
export async function benchLivePath(stack: E2eStack): Promise<void> {
  const floorProbes = await measureFloor(stack.model);
  const { sockets, dom } = await measureClaudeOps(stack);
  const origins = probeOrigins(stack.model, []);
  const floor = between(origins, floorProbes.seen, { ...TEXT, runs: ['tf'] });
  const ours = { ...TEXT, runs: ['tc'] };
  const floorP50 = percentile(floor, 50);
  console.log(
    `Live path: the model server sends ${MESSAGES} assistant messages, one every ~${3 * CHUNK_DELAY_MS} ms`,
  );
  console.log(latencyLine('(c) a bare SDK query() loop (the floor)', floor, null));
  console.log(
    latencyLine(
      `(a) the frame at a WebSocket subscriber (${WS_SUBSCRIBERS} of them)`,
      sockets.flatMap((probes) => between(origins, probes.seen, ours)),
      floorP50,
    ),
  );
  console.log(
    latencyLine('(b) the line in the DOM of a Chromium tab', between(origins, dom.seen, ours), floorP50),
  );
  console.log('  targets: (a) p50 ≤ floor + 5 ms; (b) p50 ≤ floor + 20 ms and p99 ≤ 100 ms\n');
}
