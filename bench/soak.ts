import WebSocket from 'ws';
import type { E2eStack } from './e2eStack';
import { sized } from './smoke';

const RUNS = Number(process.env.SOAK_RUNS ?? sized(500, 4));
const FIRST_CHECKPOINT = Math.min(100, Math.ceil(RUNS / 2));
/** Runs submitted at a time, the way a busy schedule would keep the queue full. */
const WAVE = sized(20, 2);

/** Asks the server's inspector for its heap in use after a full garbage collection. */
async function heapUsedAfterGc(inspectorUrl: string): Promise<number> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++nextId;
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
        if (reply.id !== id) return;
        socket.off('message', onMessage);
        resolve(reply.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.collectGarbage');
  const result = await call('Runtime.evaluate', {
    expression: 'process.memoryUsage().heapUsed',
    returnByValue: true,
    includeCommandLineAPI: true,
  });
  socket.close();
  return Number((result.result as { value: number }).value);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Many scripted runs at the default concurrency: does the server's heap keep growing? */
export async function benchSoak({ model, app, api }: E2eStack): Promise<void> {
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(app.output())?.[1];
  if (!inspectorUrl) throw new Error('the server did not print its inspector address');
  // Every run: a Bash call, then an answer once the model has seen its output (scripts match in
  // the order they were added, so the answer's key, found only in a second request, goes first).
  const output = 'soak-output-7f3a';
  model.script(output, [{ content: [{ type: 'text', text: 'soaked' }] }], { repeatLast: true });
  const key = '[bench:soak]';
  const bash = { type: 'tool_use' as const, name: 'Bash', input: { command: `echo ${output}` } };
  model.script(key, [{ content: [bash] }], { repeatLast: true });
  const agent = await api.createAgent({
    defaultPrompt: `Soak ${key}`,
    allowedTools: ['Bash'],
    maxConcurrentRuns: 2,
  });
  const runWave = async (count: number) => {
    const ids = await Promise.all(Array.from({ length: count }, () => api.startExecution(agent.id)));
    for (const id of ids) await api.waitForEnd(id, 120_000);
  };
  const started = Date.now();
  let done = 0;
  const heap: Record<number, number> = {};
  for (const checkpoint of [FIRST_CHECKPOINT, RUNS]) {
    while (done < checkpoint) {
      const count = Math.min(WAVE, checkpoint - done);
      await runWave(count);
      done += count;
    }
    heap[checkpoint] = await heapUsedAfterGc(inspectorUrl);
  }
  const first = heap[FIRST_CHECKPOINT] ?? Number.NaN;
  const last = heap[RUNS] ?? Number.NaN;
  console.log(
    `Soak: ${RUNS} scripted runs (Bash + answer) at the default concurrency in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    `  heap used after a forced GC: ${mib(first)} after ${FIRST_CHECKPOINT} runs, ${mib(last)} after ${RUNS}`,
  );
  console.log(`  growth ${(((last - first) / first) * 100).toFixed(1)}% (target < 10%)\n`);
}
