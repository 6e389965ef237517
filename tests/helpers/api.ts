import type { AgentDto, CreateAgentInput } from '../../src/lib/contracts/agents';
import { type ExecutionDetail, isActiveStatus } from '../../src/lib/contracts/executions';
import { BEARER } from './appServer';

/** Thin JSON client for the running server, as a script would use it (Bearer token). */
export function apiClient(baseUrl: string, authHeaders: Record<string, string> = BEARER) {
  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  return {
    call,
    async createAgent(input: Partial<CreateAgentInput> & { defaultPrompt: string }): Promise<AgentDto> {
      const { status, body } = await call('POST', '/api/agents', {
        name: `agent-${Math.random().toString(36).slice(2, 8)}`,
        model: 'claude-sonnet-4-5',
        ...input,
      });
      if (status !== 201) throw new Error(`create agent failed: ${status} ${JSON.stringify(body)}`);
      return (body as { agent: AgentDto }).agent;
    },
    /** The built-in System Health Reporter, seeded on first start. */
    async healthReporter(): Promise<AgentDto> {
      const { body } = await call('GET', '/api/agents');
      const found = (body as { items: AgentDto[] }).items.find((agent) => agent.builtin);
      if (!found) throw new Error('the System Health Reporter was not seeded');
      return found;
    },
    async startExecution(agentId: number, prompt?: string): Promise<number> {
      const { status, body } = await call('POST', '/api/executions', {
        agentId,
        ...(prompt ? { prompt } : {}),
      });
      if (status !== 201) throw new Error(`start failed: ${status} ${JSON.stringify(body)}`);
      return (body as { execution: { id: number } }).execution.id;
    },
    async getExecution(id: number): Promise<ExecutionDetail> {
      const { body } = await call('GET', `/api/executions/${id}`);
      return (body as { execution: ExecutionDetail }).execution;
    },
    /** Polls until the execution has ended (or the deadline passes). */
    async waitForEnd(id: number, timeoutMs = 45_000): Promise<ExecutionDetail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const execution = await this.getExecution(id);
        if (!isActiveStatus(execution.status) || Date.now() > deadline) return execution;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
