import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { StorageStatusDto } from '../../src/lib/contracts/storage';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { type ApiClient, apiClient } from '../helpers/api';
import { type AppServer, startAppServer } from '../helpers/appServer';
import { type FaultKind, faultKinds, makeFault, type StorageFault } from '../helpers/faults';
import { agentPids } from '../helpers/processes';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';
import { connectRecording } from '../helpers/wsClient';

let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModelServer();
});

afterAll(async () => {
  await model?.close();
});

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bash = (command: string) => ({ type: 'tool_use' as const, name: 'Bash', input: { command } });

/** What a fault of each kind answers an API write with. */
const EXPECTED: Record<FaultKind, { status: number; code: string }> = {
  tmpfs: { status: 507, code: 'insufficient_storage' },
  rlimit: { status: 503, code: 'storage_error' },
};

/** A server whose data directory the fault controls; both are undone after the test. */
async function serverOn(kind: FaultKind): Promise<{ app: AppServer; api: ApiClient; fault: StorageFault }> {
  const fault = makeFault(kind, { tmpfsBytes: 24 * MIB, rlimitHeadroomBytes: 256 * 1024 });
  onTestFinished(() => fault.dispose());
  const app = await startAppServer({
    modelServerUrl: model.url,
    dataDir: fault.dataDir,
    env: { CLAUDEOPS_STORAGE_RESERVE_MB: '1' },
  });
  onTestFinished(async () => {
    await app.stop();
  });
  return { app, api: apiClient(app.url), fault };
}

/**
 * A run that prints a line, then waits in a Bash call for a gate file; once the gate opens, the
 * model answers with megabytes of text (more than the fault leaves room for), then holds.
 */
async function startGatedRun(api: ApiClient, key: string): Promise<{ id: number; openGate: () => void }> {
  const gate = path.join(os.tmpdir(), `claudeops-gate-${process.pid}-${key.replace(/\W/g, '')}`);
  fs.rmSync(gate, { force: true });
  onTestFinished(() => fs.rmSync(gate, { force: true }));
  const line = `${'lorem ipsum dolor sit amet '.repeat(8)}\n`;
  model.script(key, [
    {
      content: [
        { type: 'text', text: 'before the fault' },
        bash(`while [ ! -e ${gate} ]; do sleep 0.05; done; echo gate-open`),
      ],
    },
    {
      content: [{ type: 'text', text: line.repeat(20_000) }, bash('echo after')],
      textDeltaChars: 64 * 1024,
    },
    { kind: 'hang' },
  ]);
  const agent = await api.createAgent({ defaultPrompt: `Fill the disk ${key}`, allowedTools: ['Bash'] });
  const id = await api.startExecution(agent.id);
  for (let i = 0; i < 300; i++) {
    const logs = await api.call('GET', `/api/executions/${id}/logs`);
    if (JSON.stringify(logs.body).includes('before the fault')) break;
    await sleep(100);
  }
  return { id, openGate: () => fs.writeFileSync(gate, '') };
}

async function storageStatus(api: ApiClient): Promise<StorageStatusDto> {
  const { body } = await api.call('GET', '/api/system');
  return (body as { storage: StorageStatusDto }).storage;
}

/** Polls the system status (each call looks again) until storage is `ok`. */
async function waitForStorageOk(api: ApiClient): Promise<StorageStatusDto> {
  for (let i = 0; i < 100; i++) {
    const status = await storageStatus(api);
    if (status.state === 'ok') return status;
    await sleep(200);
  }
  return storageStatus(api);
}

/** Rows a crashed or wedged engine would leave behind. */
function activeRows(databasePath: string): { id: number; status: string }[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare("select id, status from executions where status in ('queued', 'running')").all() as {
      id: number;
      status: string;
    }[];
  } finally {
    db.close();
  }
}

async function completesARun(api: ApiClient, key: string): Promise<void> {
  model.script(key, [{ content: [{ type: 'text', text: 'all good again' }] }]);
  const agent = await api.createAgent({ defaultPrompt: `After the fault ${key}` });
  const execution = await api.waitForEnd(await api.startExecution(agent.id));
  expect(execution.status).toBe('completed');
}

describe.each(faultKinds())('a %s storage fault', (kind) => {
  it('ends the run failed (storage_error) within seconds, answers writes 507/503, and recovers without a restart', async () => {
    const { app, api, fault } = await serverOn(kind);
    const pid = app.process.pid ?? 0;
    const socket = await connectRecording(app.url);
    onTestFinished(() => socket.close());
    socket.send({ type: 'subscribe', topic: 'storage' });
    const { id, openGate } = await startGatedRun(api, `[script:fault-${kind}]`);

    fault.inject(pid);
    const faultAt = Date.now();
    openGate();
    const ended = await api.waitForEnd(id, 30_000);
    const endedMs = Date.now() - faultAt;

    // The typed end, with what was committed before it kept, and no process left.
    expect(ended).toMatchObject({ status: 'failed', errorCode: 'storage_error' });
    expect(ended.errorMessage).toContain(fault.dataDir);
    const logs = await api.call('GET', `/api/executions/${id}/logs`);
    expect(JSON.stringify(logs.body)).toContain('before the fault');
    expect(agentPids(app.databasePath, id)).toEqual([]);
    // The banner, live.
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'storage.updated' }> =>
        f.type === 'storage.updated' && f.storage.state === 'failing',
    );

    // API writes: a 2xx only for a row that is there, else the storage error saying what to do.
    fault.inject(pid);
    const created: number[] = [];
    let refused: { status: number; body: Record<string, unknown> | null } | undefined;
    for (let i = 0; i < 600 && !refused; i++) {
      const answer = await api.call('POST', '/api/agents', {
        name: `fill-${i}`,
        model: 'claude-sonnet-4-5',
        defaultPrompt: 'x'.repeat(40_000),
      });
      if (answer.status === 201) created.push((answer.body as { agent: { id: number } }).agent.id);
      else refused = answer;
    }
    expect(refused?.status).toBe(EXPECTED[kind].status);
    expect(refused?.body).toMatchObject({ error: { code: EXPECTED[kind].code } });
    expect(JSON.stringify(refused?.body)).toContain(fault.dataDir);
    expect(new Set(created).size).toBe(created.length);
    for (const agentId of created) expect((await api.call('GET', `/api/agents/${agentId}`)).status).toBe(200);
    // The server still answers reads.
    expect((await api.call('GET', '/api/agents')).status).toBe(200);

    fault.clear(pid);
    expect((await waitForStorageOk(api)).state).toBe('ok');
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'storage.updated' }> =>
        f.type === 'storage.updated' && f.storage.state === 'ok',
    );
    await completesARun(api, `[script:after-${kind}]`);
    expect(activeRows(app.databasePath)).toEqual([]);

    const stopAt = Date.now();
    expect(await app.stop()).toBe(0);
    const shutdownMs = Date.now() - stopAt;
    expect(shutdownMs).toBeLessThan(5_000);
    expect(app.output()).not.toContain('IllegalTransitionError');
    console.log(
      `${kind}: fault to run ended ${endedMs} ms; ${created.length} agents stored before the ${refused?.status}; shutdown ${shutdownMs} ms`,
    );
  });

  it('shuts down in under 5 s while storage still fails, and the next start leaves no run running', async () => {
    const { app, api, fault } = await serverOn(kind);
    const pid = app.process.pid ?? 0;
    const { id, openGate } = await startGatedRun(api, `[script:fault-stop-${kind}]`);
    fault.inject(pid);
    openGate();
    expect(await api.waitForEnd(id, 30_000)).toMatchObject({ status: 'failed', errorCode: 'storage_error' });

    const stopAt = Date.now();
    expect(await app.stop()).toBe(0);
    const shutdownMs = Date.now() - stopAt;
    expect(shutdownMs).toBeLessThan(5_000);
    expect(app.output()).not.toContain('IllegalTransitionError');

    // The limit dies with the process; the filler is the tmpfs's to clear.
    fault.clear(pid);
    const again = await startAppServer({ modelServerUrl: model.url, dataDir: fault.dataDir });
    onTestFinished(async () => {
      await again.stop();
    });
    const after = await apiClient(again.url).getExecution(id);
    expect(['failed', 'interrupted']).toContain(after.status);
    expect(activeRows(again.databasePath)).toEqual([]);
    console.log(`${kind}: shutdown while failing ${shutdownMs} ms; the run came back ${after.status}`);
  });
});
