import { thisHost } from '../config/host';
import { RETIRED_HOST_AFTER_MS } from '../contracts/metrics';
import type { ConditionDto, ConditionListResponse } from '../contracts/notifications';
import { execute } from '../db/plan';
import { listAgents } from '../db/queries/agents';
import { metricHostsBySampledAfter } from '../db/queries/metrics';
import { listChannelRows } from '../db/queries/notificationChannels';
import { listConditions } from '../db/queries/notificationConditions';
import { getAppSettings } from '../db/queries/settings';
import { listWorkflows } from '../db/queries/workflows';
import type { NotificationCondition } from '../db/schema';
import type { Store } from '../db/store';
import { conditionStatus } from './conditionStatus';
import {
  FIXED_CONDITION_KEYS,
  HOST_CONDITION_TYPES,
  hostConditionKey,
  type ParsedConditionKey,
  parseConditionKey,
} from './conditions';

interface Names {
  agents: ReadonlyMap<number, string>;
  workflows: ReadonlyMap<number, string>;
}

const FIXED_LABELS: Record<(typeof FIXED_CONDITION_KEYS)[number], string> = {
  circuit: 'Circuit breaker open',
  'storage.low': 'Data directory low on space',
  'storage.failing': 'Data directory writes failing',
};

const named = (names: ReadonlyMap<number, string>, what: string, id: number | null) =>
  id === null ? what : `${what} ${names.get(id) ?? `#${id} (deleted)`}`;

/** The condition in words, naming its mount, agent, workflow or month. */
function conditionLabel(key: string, parsed: ParsedConditionKey, names: Names): string {
  const { subject, eventType } = parsed;
  switch (subject.kind) {
    case 'machine':
      return FIXED_LABELS[key as keyof typeof FIXED_LABELS] ?? key;
    case 'host':
      return `${eventType === 'host.memory' ? 'Memory low' : 'Load high'} on ${subject.host}`;
    case 'disk':
      return `Disk ${subject.mount} full on ${subject.host}`;
    case 'reporter':
      return `${eventType === 'health.critical' ? 'Health critical' : 'Health warning'} from ${named(names.agents, 'agent', subject.agentId)}`;
    case 'budget': {
      const owner =
        subject.scope === 'global'
          ? 'Global budget'
          : subject.scope === 'agent'
            ? `Budget of ${named(names.agents, 'agent', subject.ownerId)}`
            : `Budget of ${named(names.workflows, 'workflow', subject.ownerId)}`;
      return `${owner} ${eventType === 'budget.exhausted' ? 'exhausted' : 'at 80%'}, ${subject.month}`;
    }
  }
}

/**
 * Every condition ClaudeOps evaluates with its state and why it did or did not send: the stored
 * ones (holding, or a breach not announced yet) and the fixed ones that are clear, with memory and
 * load for each host that records metrics and is not retired (this server's first). Holding first.
 */
export async function listConditionStatuses(store: Store): Promise<ConditionListResponse> {
  const [settings, channels, agents, workflows, stored, metricHosts] = await Promise.all([
    execute(store, getAppSettings(store)),
    execute(store, listChannelRows(store)),
    execute(store, listAgents(store)),
    execute(store, listWorkflows(store)),
    execute(store, listConditions(store)),
    execute(store, metricHostsBySampledAfter(store, Date.now() - RETIRED_HOST_AFTER_MS)),
  ]);
  const fixedKeys = [
    ...FIXED_CONDITION_KEYS,
    ...[...new Set([thisHost(), ...metricHosts.sampling])].flatMap((host) =>
      HOST_CONDITION_TYPES.map((type) => hostConditionKey(type, host)),
    ),
  ];
  const quietMs = settings.notificationQuietPeriodMinutes * 60_000;
  const names: Names = {
    agents: new Map(agents.map((agent) => [agent.id, agent.name])),
    workflows: new Map(workflows.map((workflow) => [workflow.id, workflow.name])),
  };
  const rows = new Map<string, NotificationCondition | undefined>(stored.map((row) => [row.key, row]));
  for (const key of fixedKeys) if (!rows.has(key)) rows.set(key, undefined);
  const conditions = [...rows].flatMap(([key, row]): ConditionDto[] => {
    const parsed = parseConditionKey(key);
    if (!parsed) return [];
    return [
      {
        key,
        eventType: parsed.eventType,
        label: conditionLabel(key, parsed, names),
        active: row?.active ?? false,
        since: row?.since ?? null,
        lastNotifiedAt: row?.lastNotifiedAt ?? null,
        updatedAt: row?.updatedAt ?? null,
        status: conditionStatus(row, parsed, channels, quietMs),
      },
    ];
  });
  const rank = (condition: ConditionDto) => (condition.status.kind === 'clear' ? 1 : 0);
  conditions.sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
  return { conditions, quietPeriodMinutes: settings.notificationQuietPeriodMinutes };
}
