import { type ApiClient, apiClient } from './api';
import { type AppServer, startAppServer } from './appServer';
import { type ScriptedModelServer, startScriptedModelServer } from './scriptedModelServer';

export interface TestStack {
  /** The scripted Anthropic API the agents talk to. */
  model: ScriptedModelServer;
  /** A real ClaudeOps server pointed at it. */
  app: AppServer;
  /** A Bearer-authenticated client for it. */
  api: ApiClient;
}

/** The test runner's file-level hooks (vitest's or Playwright's). */
export interface FileHooks {
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
}

/**
 * Starts a scripted model server and a ClaudeOps server for the test file and stops both after
 * it. The fields are filled in `beforeAll`, so read them inside tests, not at module level.
 */
export function setUpTestStack(
  { beforeAll, afterAll }: FileHooks,
  env: Record<string, string> = {},
): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    stack.model = await startScriptedModelServer();
    stack.app = await startAppServer({ modelServerUrl: stack.model.url, env });
    stack.api = apiClient(stack.app.url);
  });
  afterAll(async () => {
    await stack.app?.stop();
    await stack.model?.close();
  });
  return stack;
}
