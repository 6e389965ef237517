import { expect } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import type { ApprovalDto, ApprovalPage } from '../../src/lib/contracts/approvals';
import type { ExecutionDetail, ExecutionStatus } from '../../src/lib/contracts/executions';
import type { ApiClient } from './api';
import type { RecordedRequest, ScriptedModelServer, ScriptedTurn } from './scriptedModelServer';

/** A model turn that asks to run one Bash command. */
export const bashCall = (command: string): ScriptedTurn => ({
  content: [{ type: 'tool_use', name: 'Bash', input: { command, description: 'scripted call' } }],
});

export const answer = (text: string): ScriptedTurn => ({ content: [{ type: 'text', text }] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `read` returns something, or fails after `timeoutMs` naming what it waited for. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** What approval tests do through the API, as a script with the Bearer token would. */
export function approvalsApi(api: ApiClient, model: ScriptedModelServer) {
  return {
    /** An agent whose calls no rule covers wait for a person. */
    async askingAgent(key: string, extra: Record<string, unknown> = {}): Promise<AgentDto> {
      return api.createAgent({ defaultPrompt: `Do the work ${key}`, unlistedTools: 'ask', ...extra });
    },

    async waitForStatus(id: number, status: ExecutionStatus, timeoutMs = 20_000): Promise<ExecutionDetail> {
      return eventually(
        `execution ${id} to be ${status}`,
        async () => {
          const execution = await api.getExecution(id);
          return execution.status === status && execution;
        },
        timeoutMs,
      );
    },

    async approvals(query: string): Promise<ApprovalPage> {
      const { status, body } = await api.call('GET', `/api/approvals?${query}`);
      expect(status).toBe(200);
      return body as unknown as ApprovalPage;
    },

    /** The run's approval still waiting for an answer (waits for it to be asked). */
    async pendingOf(executionId: number, timeoutMs = 20_000): Promise<ApprovalDto> {
      return eventually(
        `a pending approval of execution ${executionId}`,
        async () => (await this.approvals(`status=pending&executionId=${executionId}`)).items[0],
        timeoutMs,
      );
    },

    async decide(approvalId: number, body: unknown) {
      return api.call('POST', `/api/approvals/${approvalId}`, body);
    },

    /** Requests the model server got for a script, as JSON text (to look for what the model was told). */
    requestsFor(key: string): RecordedRequest[] {
      return model.requests.filter((request) => request.key === key);
    },
  };
}

/** The text of every tool result the model was sent in a request. */
export function toolResultsIn(request: RecordedRequest): string[] {
  const body = request.body as { messages?: { content: unknown }[] };
  const results: string[] = [];
  for (const message of body.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as { type: string; content?: unknown }[])
      if (block.type === 'tool_result') results.push(JSON.stringify(block.content));
  }
  return results;
}
