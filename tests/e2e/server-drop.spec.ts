import '../helpers/testEnv';
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { setUpTestStack } from '../helpers/stack';
import { collectConsoleErrors } from './pages/consoleErrors';
import { ExecutionPage } from './pages/ExecutionPage';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

/**
 * A TCP proxy between the browser and ClaudeOps. Cutting a WebSocket here looks to the browser
 * exactly like the server dropping it: the connection just ends.
 */
async function startProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  const webSockets = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        webSockets.delete(pair);
      });
    }
    client.once('data', (first: Buffer) => {
      if (first.toString('latin1').startsWith('GET /ws ')) webSockets.add(pair);
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Ends every open WebSocket connection; returns how many there were. */
    dropWebSockets(): number {
      const count = webSockets.size;
      for (const [client, upstream] of webSockets) {
        upstream.destroy();
        client.destroy();
      }
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line-${from + i}`).join('\n');

test('a socket the server side drops mid-run resumes with exactly the 1,000 lines, in order', async ({
  page,
}) => {
  const proxy = await startProxy(stack.app.port);
  try {
    const errors = collectConsoleErrors(page);
    await signIn(page, proxy.url);
    const key = '[script:e2e-server-drop]';
    stack.model.script(key, [
      {
        content: [
          { type: 'text', text: lines(1, 500) },
          { type: 'tool_use', name: 'Bash', input: { command: 'true' } },
        ],
      },
      { content: [{ type: 'text', text: lines(501, 1000) }], delayMs: 2_500, chunkDelayMs: 1 },
    ]);
    const agent = await stack.api.createAgent({
      defaultPrompt: `Count to 1000 ${key}`,
      allowedTools: ['Bash'],
    });
    const id = await stack.api.startExecution(agent.id);
    await page.goto(`${proxy.url}/executions/${id}`);
    const execution = new ExecutionPage(page);
    await expect(execution.logLine('line-500')).toBeVisible();
    await expect(execution.connection).toHaveText('Live');

    // The server's end of the socket goes away while the second half is still to come.
    expect(proxy.dropWebSockets()).toBe(1);
    await expect(execution.connection).not.toHaveText('Live');
    await expect(execution.connection).toHaveText('Live', { timeout: 15_000 });
    await expect(execution.status).toHaveText('completed', { timeout: 30_000 });

    const stored = (await stack.api.call('GET', `/api/executions/${id}/logs?limit=10000`)).body as {
      items: { text: string }[];
    };
    const numbered = stored.items.map((l) => l.text).filter((text) => /^line-\d+$/.test(text));
    expect(numbered).toEqual(Array.from({ length: 1000 }, (_, i) => `line-${i + 1}`));
    // The page holds exactly what the database holds: a gap would show fewer, a duplicate more.
    await expect(execution.logViewer).toHaveAttribute('data-line-count', String(stored.items.length));
    await expect(execution.logLine('line-1000')).toBeVisible();
    await execution.logViewer.evaluate((viewer) => {
      viewer.scrollTop = 0;
    });
    await expect(execution.logLine('line-1')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await proxy.close();
  }
});
