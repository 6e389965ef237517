import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { TEST_ACCESS_TOKEN, TEST_API_KEY } from '../helpers/appServer';
import { cookieFrom, rawRequest } from '../helpers/rawHttp';
import { setUpTestStack } from '../helpers/stack';
import { connectRecording } from '../helpers/wsClient';

// Debug logging too: the agent's stderr and every log field must be masked as well.
const stack = setUpTestStack({ beforeAll, afterAll }, { LOG_LEVEL: 'debug' });

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}

describe('a run whose tool output contains the API key', () => {
  it('stores, logs, serves and streams it only as [REDACTED]', async () => {
    const key = '[script:leak]';
    stack.model.script(key, [
      // The agent's own environment holds the key: a careless command prints it.
      {
        content: [
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: 'echo "key=$ANTHROPIC_API_KEY"; env | grep ANTHROPIC' },
          },
        ],
      },
      { content: [{ type: 'text', text: `Found the key: ${TEST_API_KEY}` }] },
    ]);
    const agent = await stack.api.createAgent({
      defaultPrompt: `Show the env ${key}`,
      allowedTools: ['Bash'],
    });
    const socket = await connectRecording(stack.app.url);
    const id = await stack.api.startExecution(agent.id);
    socket.send({ type: 'subscribe', topic: 'execution', executionId: id, afterSeq: 0 });
    const execution = await stack.api.waitForEnd(id);
    expect(execution.status).toBe('completed');
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'execution.updated' }> =>
        f.type === 'execution.updated' && f.execution.status === 'completed',
    );

    // The masking happened (the line is there, the value is not).
    const logs = await stack.api.call('GET', `/api/executions/${id}/logs`);
    expect(JSON.stringify(logs.body)).toContain('key=[REDACTED]');
    expect(execution.resultText).toBe('Found the key: [REDACTED]');

    const cookie = cookieFrom(
      await rawRequest(stack.app.url, {
        method: 'POST',
        path: '/api/auth/session',
        headers: { origin: stack.app.url },
        body: JSON.stringify({ token: TEST_ACCESS_TOKEN }),
      }),
    );
    const page = await rawRequest(stack.app.url, { path: `/executions/${id}`, headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('[REDACTED]');

    const leaks = {
      page: page.body.includes(TEST_API_KEY),
      api: JSON.stringify([execution, logs.body]).includes(TEST_API_KEY),
      frames: JSON.stringify(socket.frames).includes(TEST_API_KEY),
      serverLog: stack.app.output().includes(TEST_API_KEY),
      databaseFiles: fs
        .readdirSync(stack.app.dataDir)
        .filter((file) => file.startsWith('claudeops.db'))
        .some((file) => fs.readFileSync(path.join(stack.app.dataDir, file)).includes(TEST_API_KEY)),
      // The transcript is kept in the database (masked); Claude Code's own plaintext copy is removed.
      transcripts: filesUnder(path.join(stack.app.dataDir, 'claude-config')).some((file) =>
        fs.readFileSync(file).includes(TEST_API_KEY),
      ),
    };
    expect(leaks).toEqual({
      page: false,
      api: false,
      frames: false,
      serverLog: false,
      databaseFiles: false,
      transcripts: false,
    });
    await socket.close();
  });
});
