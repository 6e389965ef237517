import '../helpers/testEnv';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRangeSchema, tierForRange } from '../../src/lib/contracts/metrics';
import { executionResourcesSchema, type RunResourceSample } from '../../src/lib/contracts/runResources';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { BEARER } from '../helpers/appServer';
import { burntCpuSeconds, cpuBurnTurns } from '../helpers/cpuBurn';
import { parseExposition, sampleValue } from '../helpers/prometheusText';
import { setUpTestStack } from '../helpers/stack';
import { storedSteps } from '../helpers/storedOutput';
import { connectRecording } from '../helpers/wsClient';

const stack = setUpTestStack({ beforeAll, afterAll });
const BURN_SECONDS = 4;

/**
 * A sample every 3 s: 1,200 raw points for the hour, so the 1-hour range stays on raw samples
 * (every second would give 3,600, more than a chart has pixels, and the minute tier instead).
 */
const INTERVAL_SECONDS = 3;

beforeAll(async () => {
  const { status } = await stack.api.call('PATCH', '/api/settings', {
    metricsIntervalSeconds: INTERVAL_SECONDS,
  });
  expect(status).toBe(200);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `read` gives something `done` accepts (the collector samples on its own clock). */
async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(250);
  }
}

describe('a run’s own resources', () => {
  it('records the CPU a tool’s child processes burn and the processes of the tree, and the API returns them', async () => {
    const key = '[script:metrics-burn]';
    // Four children rather than one: on a machine shared with other busy processes one child can
    // get less than half a core, and the point is the run's tree, not how busy the box is.
    stack.model.script(key, cpuBurnTurns({ children: 4, seconds: BURN_SECONDS }));
    const agent = await stack.api.createAgent({
      defaultPrompt: `Burn some CPU ${key}`,
      allowedTools: ['Bash'],
    });

    const id = await stack.api.startExecution(agent.id);
    const watcher = await connectRecording(stack.app.url);
    watcher.send({ type: 'subscribe', topic: 'execution', executionId: id });
    const execution = await stack.api.waitForEnd(id, 90_000);
    await watcher.close();

    expect(execution.status).toBe('completed');
    const resources = executionResourcesSchema.parse(execution.resources);
    expect(resources.samples.length).toBeGreaterThanOrEqual(2);
    // Held to what the children really got (their own `times`), not to a share of a core that a
    // busy machine may not give them.
    const output = storedSteps(stack.app.databasePath, id)
      .filter((step) => step.kind === 'tool_result')
      .map((step) => step.summary)
      .join('\n');
    const burnt = burntCpuSeconds(output);
    expect(burnt).toBeGreaterThan(0.2);
    // 100% is one core: the busiest sample at least half the burn's average share.
    const burntPercent = (burnt / BURN_SECONDS) * 100;
    expect(Math.max(...resources.samples.map((s) => s.cpuPercent))).toBeGreaterThan(burntPercent / 2);
    expect(Math.max(...resources.samples.map((s) => s.processCount))).toBeGreaterThanOrEqual(2);
    const { summary } = resources;
    expect(summary).not.toBeNull();
    // The tree's total: the burn (less what fell after the last sample) plus Claude Code's own.
    expect(summary?.cpuSeconds).toBeGreaterThan(burnt / 2);
    expect(summary?.cpuSeconds).toBeLessThan(burnt + 10);
    expect(summary?.peakProcessCount).toBe(Math.max(...resources.samples.map((s) => s.processCount)));
    expect(summary?.peakRssBytes).toBe(Math.max(...resources.samples.map((s) => s.rssBytes)));
    // Samples lie within the run.
    for (const sample of resources.samples) {
      expect(sample.t).toBeGreaterThanOrEqual(execution.startedAt ?? 0);
      expect(sample.t).toBeLessThanOrEqual(execution.finishedAt ?? Number.POSITIVE_INFINITY);
    }

    // A subscriber saw it live: what was stored at subscribe time, then each tick's sample.
    const frames = watcher.frames.filter(
      (frame): frame is Extract<ServerFrame, { type: 'execution.resources' }> =>
        frame.type === 'execution.resources' && frame.executionId === id,
    );
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(frames.slice(1).every((frame) => frame.resources.samples.length === 1)).toBe(true);
    const seen = new Map<number, RunResourceSample>();
    for (const frame of frames) for (const sample of frame.resources.samples) seen.set(sample.t, sample);
    expect([...seen.values()]).toEqual(resources.samples);
    expect(frames.at(-1)?.resources.summary).toEqual(summary);
  }, 120_000);
});

describe('GET /api/metrics', () => {
  it('answers a range from its tier, the latest samples included, with the runs to draw on it', async () => {
    const answer = await eventually(
      async () => {
        const { status, body } = await stack.api.call('GET', '/api/metrics?range=1h');
        expect(status).toBe(200);
        return metricsRangeSchema.parse(body);
      },
      (range) => range.t.length >= 2 && range.stepMs === INTERVAL_SECONDS * 1000,
    );

    expect({ tier: answer.tier, stepMs: answer.stepMs }).toEqual(tierForRange('1h', INTERVAL_SECONDS * 1000));
    expect(answer.tier).toBe('raw');
    // The hour asked for; the window starts where this young server's samples do.
    expect(answer.to - answer.requested.from).toBe(3_600_000);
    expect(answer.from).toBeGreaterThanOrEqual(answer.requested.from);
    expect(answer.from).toBeLessThanOrEqual(answer.t[0] ?? 0);
    const busy = answer.series.find((s) => s.metric === 'cpu.busy' && s.entity === '');
    expect(busy?.avg).toHaveLength(answer.t.length);
    expect(busy?.min).toBeNull();
    expect(answer.series.some((s) => s.metric === 'memory.used')).toBe(true);
    expect(answer.series.some((s) => s.metric === 'fs.used')).toBe(true);
    const recent = answer.t.slice(-2);
    expect(recent[1] ?? 0).toBeGreaterThan(recent[0] ?? 0);
    expect(answer.t.at(-1)).toBeGreaterThan(Date.now() - 60_000);
    // The run of the test before is drawn on the hour.
    expect(answer.runs.some((run) => run.status === 'completed')).toBe(true);

    // A year asked of a server minutes old: its minutes, in raw samples, not one daily point.
    const year = metricsRangeSchema.parse((await stack.api.call('GET', '/api/metrics?range=1y')).body);
    expect(year.to - year.requested.from).toBe(365 * 86_400_000);
    expect({ tier: year.tier, stepMs: year.stepMs }).toEqual({
      tier: 'raw',
      stepMs: INTERVAL_SECONDS * 1000,
    });
    expect(year.t.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it.each([['2h'], ['']])('refuses range=%j with a 400 naming the parameter', async (range) => {
    const { status, body } = await stack.api.call('GET', `/api/metrics?range=${range}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_request', issues: [{ path: 'range' }] } });
    expect(JSON.stringify(body)).toContain('range');
  });

  it("answers a host by name, this server's by default: its own samples and runs, none for a host never sampled", async () => {
    const here = metricsRangeSchema.parse((await stack.api.call('GET', '/api/metrics?range=1h')).body);
    expect(here.host).toBe(os.hostname());
    const named = metricsRangeSchema.parse(
      (await stack.api.call('GET', `/api/metrics?range=1h&host=${encodeURIComponent(here.host)}`)).body,
    );
    expect(named.host).toBe(here.host);
    expect(named.t.length).toBeGreaterThan(0);
    expect(named.runs.length).toBeGreaterThan(0);
    const elsewhere = metricsRangeSchema.parse(
      (await stack.api.call('GET', '/api/metrics?range=1h&host=build-2.example')).body,
    );
    expect(elsewhere).toMatchObject({ host: 'build-2.example', t: [], series: [], runs: [] });
  });

  it.each([[''], ['x'.repeat(256)]])('refuses host=%j with a 400 naming the parameter', async (host) => {
    const { status, body } = await stack.api.call('GET', `/api/metrics?range=1h&host=${host}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_request', issues: [{ path: 'host' }] } });
  });

  it('refuses a parameter it does not know', async () => {
    const { status, body } = await stack.api.call('GET', '/api/metrics?range=1h&tier=raw');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('GET /metrics', () => {
  it('answers a scraper with the Bearer token in the text format, every line of which parses', async () => {
    const scrape = async () => {
      const response = await fetch(`${stack.app.url}/metrics`, { headers: BEARER });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseExposition(await response.text());
    };
    const { types, helps, samples } = await eventually(scrape, (parsed) =>
      parsed.types.has('claudeops_host_cpu_cores'),
    );

    for (const name of types.keys()) expect(helps.has(name)).toBe(true);
    expect(sampleValue(samples, 'claudeops_host_cpu_cores')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'claudeops_host_memory_total_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'claudeops_runs_total', { status: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(samples, 'claudeops_tokens_total', { model: 'claude-sonnet-4-5', kind: 'input' }),
    ).toBeGreaterThanOrEqual(1_100);
    expect(sampleValue(samples, 'claudeops_runs_active')).toBe(0);
    expect(sampleValue(samples, 'claudeops_runs_queued')).toBe(0);
    expect(sampleValue(samples, 'claudeops_circuit_breaker_state', { state: 'closed' })).toBe(1);
  }, 60_000);

  it('refuses a scraper without a valid token with a 401, never a sign-in redirect', async () => {
    const refused: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token' }];
    for (const headers of refused) {
      const response = await fetch(`${stack.app.url}/metrics`, { headers, redirect: 'manual' });
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });
});
