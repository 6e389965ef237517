import '../helpers/testEnv';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { setUpTestStack } from '../helpers/stack';
import { signIn } from './pages/signIn';

const stack = setUpTestStack({ beforeAll: (fn) => test.beforeAll(fn), afterAll: (fn) => test.afterAll(fn) });

let attacker: http.Server;
let attackerUrl: string;

/**
 * The attacker's page: everything a hostile site can do to a local dev server from the victim's
 * browser. It runs on another port of 127.0.0.1, which is the same *site*, so the browser does
 * send the SameSite=Strict session cookie: only the Origin checks stand in the way.
 */
function attackPage(target: string): string {
  return `<!doctype html><html><body>
<form id="csrf" method="POST" action="${target}/api/executions" enctype="text/plain" target="sink">
  <input name='{"agentId":1,"x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
const results = {};
const attempt = async (name, run) => {
  try { results[name] = await run(); } catch (error) { results[name] = 'blocked: ' + error.name; }
};
(async () => {
  const body = JSON.stringify({ agentId: 1 });
  await attempt('simple POST with cookie', () =>
    fetch('${target}/api/executions', { method: 'POST', credentials: 'include', headers: { 'content-type': 'text/plain' }, body }).then((r) => 'status ' + r.status));
  await attempt('no-cors POST with cookie', () =>
    fetch('${target}/api/executions', { method: 'POST', mode: 'no-cors', credentials: 'include', body }).then((r) => 'opaque ' + r.type));
  await attempt('JSON POST (preflight)', () =>
    fetch('${target}/api/executions', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body }).then((r) => 'status ' + r.status));
  await attempt('POST without credentials', () =>
    fetch('${target}/api/executions', { method: 'POST', credentials: 'omit', headers: { 'content-type': 'text/plain' }, body }).then((r) => 'status ' + r.status));
  await attempt('read the agents list', () =>
    fetch('${target}/api/agents', { credentials: 'include' }).then((r) => r.text()));
  await attempt('WebSocket', () => new Promise((resolve) => {
    const socket = new WebSocket('${target.replace('http', 'ws')}/ws');
    socket.onopen = () => { socket.send(JSON.stringify({ type: 'subscribe', topic: 'executions' })); resolve('OPENED'); };
    socket.onerror = () => resolve('refused');
  }));
  document.getElementById('csrf').submit();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  window.__results = results;
})();
</script></body></html>`;
}

test.beforeAll(async () => {
  attacker = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(stack.app.url));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker?.close(resolve));
});

test('a page from another origin cannot drive the server, with or without the session cookie', async ({
  page,
}) => {
  await signIn(page, stack.app.url);
  const { api } = stack;
  const before = (await api.call('GET', '/api/executions')).body as { items: unknown[] };

  await page.goto(attackerUrl);
  const results = await page.waitForFunction(
    () => (window as { __results?: Record<string, string> }).__results,
    null,
    {
      timeout: 30_000,
    },
  );
  const outcome = (await results.jsonValue()) as Record<string, string>;

  // Every attempt failed in the browser: CORS hides any answer, the socket never opened.
  expect(outcome).toEqual({
    'simple POST with cookie': 'blocked: TypeError',
    // Sent, but Cross-Origin-Resource-Policy: same-origin withholds even the opaque answer.
    'no-cors POST with cookie': 'blocked: TypeError',
    'JSON POST (preflight)': 'blocked: TypeError',
    'POST without credentials': 'blocked: TypeError',
    'read the agents list': 'blocked: TypeError',
    WebSocket: 'refused',
  });
  // And the server refused them all: nothing started, no model call was made.
  const after = (await api.call('GET', '/api/executions')).body as { items: unknown[] };
  expect(after.items).toEqual(before.items);
  expect(stack.model.requests).toHaveLength(0);
  expect(stack.app.output()).not.toMatch(/execution finished/);
});
