import type { BudgetKind } from '../contracts/costs';
import type { MessageAction, NotificationMessage } from '../contracts/notifications';
import {
  formatBytes,
  formatDuration,
  formatMessageTime,
  formatPercent,
  formatUsd,
} from '../presentation/format';

export type Severity = 'info' | 'warning' | 'critical' | 'resolved';

export interface MessageField {
  label: string;
  value: string;
}

/** A message in words, the same for every channel: what happened, to what, the figures, the link. */
export interface RenderedMessage {
  title: string;
  text: string;
  fields: MessageField[];
  severity: Severity;
  url: string;
  /** Buttons or links that act on what the message is about (approve/deny a tool call). */
  actions: MessageAction[];
}

type Described = Omit<RenderedMessage, 'url' | 'actions'>;

/** Makes the one-time links of an approval's message, for the channel it is sent through. */
export type ApprovalLinkMaker = (approval: Of<'approval.requested'>, decision: 'allow' | 'deny') => string;
type Of<T extends NotificationMessage['type']> = Extract<NotificationMessage, { type: T }>['data'];

/** The page's absolute URL; the base may carry a path prefix (a proxy's sub-path), which is kept. */
export function pageUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

/** Percent figures in messages (0–100) keep a decimal: `91.2%` beside a `90%` threshold. */
const pct = (value: number) => formatPercent(value / 100, 1);
const at = formatMessageTime;
const field = (label: string, value: string | number | null | undefined): MessageField[] =>
  value === null || value === undefined || value === '' ? [] : [{ label, value: String(value) }];

function runFields(d: Of<'run.failed'>): MessageField[] {
  return [
    ...field('Agent', `${d.agentName} (#${d.agentId})`),
    ...field('Execution', `#${d.executionId}`),
    ...field('Trigger', d.scheduleId ? `${d.trigger} (schedule #${d.scheduleId})` : d.trigger),
    ...field('Workflow', d.workflowName ?? (d.workflowId ? `#${d.workflowId}` : null)),
    ...field('Attempts', d.attempts),
    ...field('Duration', d.durationMs === null ? null : formatDuration(d.durationMs)),
    ...field('Cost', formatUsd(d.costUsd)),
    ...field('Error', d.errorCode),
  ];
}

const runTitle = (d: Of<'run.failed'>, what: string) => `Run #${d.executionId} of “${d.agentName}” ${what}`;

const BUDGET_LIMIT_LABELS: Record<BudgetKind, string> = {
  per_run: 'Its per-run cap',
  workflow: 'Its workflow’s budget',
  agent_monthly: 'The agent’s monthly budget',
  global_monthly: 'The global monthly budget',
};

function budgetSubject(d: Of<'budget.warning'>): string {
  if (d.scope === 'agent') return `The monthly budget of agent “${d.agentName ?? `#${d.agentId}`}”`;
  if (d.scope === 'workflow')
    return `The monthly budget of workflow “${d.workflowName ?? `#${d.workflowId}`}”`;
  return 'The global monthly budget';
}

function budget(d: Of<'budget.warning'>, exhausted: boolean): Described {
  const share = pct((d.spentUsd / d.budgetUsd) * 100);
  const fields = [
    ...field('Spent', `${formatUsd(d.spentUsd)} of ${formatUsd(d.budgetUsd)} (${share})`),
    ...field('Month', d.month),
  ];
  if (d.state === 'resolved')
    return {
      title: `${budgetSubject(d)} is back under its threshold`,
      text: `${share} used.`,
      fields,
      severity: 'resolved',
    };
  return exhausted
    ? {
        title: `${budgetSubject(d)} is exhausted`,
        text: `${formatUsd(d.spentUsd)} of ${formatUsd(d.budgetUsd)} spent in ${d.month}. Runs it covers are refused until the month ends or the budget is raised.`,
        fields,
        severity: 'critical',
      }
    : {
        title: `${budgetSubject(d)} is at ${share}`,
        text: `${formatUsd(d.spentUsd)} of ${formatUsd(d.budgetUsd)} spent in ${d.month}.`,
        fields,
        severity: 'warning',
      };
}

function health(d: Of<'health.warning'>, level: 'warning' | 'critical'): Described {
  const fields = [
    ...field('Agent', `${d.agentName} (#${d.agentId})`),
    ...field('Report', `execution #${d.executionId}`),
    ...d.findings
      .filter((finding) => finding.severity !== 'info')
      .slice(0, 5)
      .flatMap((finding) => field(`${finding.area} (${finding.severity})`, finding.message)),
  ];
  if (d.state === 'resolved')
    return { title: `Health report: ${d.status} again`, text: d.summary, fields, severity: 'resolved' };
  return { title: `Health report: ${level}`, text: d.summary, fields, severity: level };
}

function hostState(
  d: { state: 'firing' | 'resolved'; since: number; host?: string | undefined },
  firing: { title: string; text: string },
  resolved: { title: string; text: string },
  hostFields: MessageField[],
): Described {
  const fields = [...field('Host', d.host), ...hostFields];
  return d.state === 'resolved'
    ? { ...resolved, fields, severity: 'resolved' }
    : { ...firing, fields: [...fields, ...field('Since', at(d.since))], severity: 'warning' };
}

/** ` on gpu-box`: with worker hosts several machines are checked, so a machine's event names it. */
const onHost = (d: { host?: string | undefined }): string => (d.host === undefined ? '' : ` on ${d.host}`);

function approval(d: Of<'approval.requested'>, expired: boolean): Described {
  const fields = [
    ...field('Agent', `${d.agentName} (#${d.agentId})`),
    ...field('Execution', `#${d.executionId}`),
    ...field('Tool', d.toolName),
    ...field('Input', d.input),
    ...field('Why', d.reason),
    ...field(expired ? 'Expired' : 'Expires', at(d.expiresAt)),
  ];
  if (expired) {
    return {
      title: `Nobody approved ${d.toolName} for run #${d.executionId} of “${d.agentName}”`,
      text:
        d.onTimeout === 'fail'
          ? 'The approval expired, and the run failed as its policy says.'
          : 'The approval expired: the call was denied and the run went on without it.',
      fields,
      severity: 'warning',
    };
  }
  return {
    title: `Run #${d.executionId} of “${d.agentName}” asks to use ${d.toolName}`,
    text: `Approve or deny before ${at(d.expiresAt)}; after that the call is ${d.onTimeout === 'fail' ? 'denied and the run fails' : 'denied'}.`,
    fields,
    severity: 'warning',
  };
}

function describeMessage(message: NotificationMessage): Described {
  switch (message.type) {
    case 'run.failed': {
      const d = message.data;
      return {
        title: runTitle(d, 'failed'),
        text: d.errorMessage ?? 'The run ended without a result.',
        fields: runFields(d),
        severity: 'critical',
      };
    }
    case 'run.timeout': {
      const d = message.data;
      return {
        title: runTitle(d, 'timed out'),
        text: `Stopped at its ${d.timeoutSeconds} s limit.`,
        fields: runFields(d),
        severity: 'critical',
      };
    }
    case 'run.budget_exceeded': {
      const d = message.data;
      return {
        title: runTitle(d, 'was stopped by a budget'),
        text: `${BUDGET_LIMIT_LABELS[d.budget]} of ${formatUsd(d.limitUsd)} was reached: ${formatUsd(d.spentUsd)} spent.`,
        fields: runFields(d),
        severity: 'warning',
      };
    }
    case 'run.interrupted': {
      const d = message.data;
      return {
        title: runTitle(d, 'was interrupted'),
        text: d.reason,
        fields: runFields(d),
        severity: 'warning',
      };
    }
    case 'budget.warning':
      return budget(message.data, false);
    case 'budget.exhausted':
      return budget(message.data, true);
    case 'schedule.refused': {
      const d = message.data;
      return {
        title: `Schedule #${d.scheduleId} of “${d.agentName ?? d.workflowName}” did not start a run`,
        text: d.reason,
        fields: [
          ...field('Slot', at(d.scheduledFor)),
          ...field('Outcome', d.outcome),
          ...field('Cron', d.cronExpression),
        ],
        severity: 'warning',
      };
    }
    case 'schedule.missed': {
      const d = message.data;
      return {
        title: `Schedule #${d.scheduleId} of “${d.agentName ?? d.workflowName}” missed ${d.missedSlots === 1 ? 'a slot' : `${d.missedSlots} slots`}`,
        text: d.reason ?? 'The server was not running at the scheduled time.',
        fields: [
          ...field('Latest slot', at(d.scheduledFor)),
          ...field('Missed', d.missedSlots),
          ...field('Cron', d.cronExpression),
        ],
        severity: 'warning',
      };
    }
    case 'health.warning':
      return health(message.data, 'warning');
    case 'health.critical':
      return health(message.data, 'critical');
    case 'circuit.opened': {
      const d = message.data;
      return {
        title: 'Circuit breaker opened: no run starts',
        text: `${d.consecutiveFailures} transient failures in a row${d.lastFailure ? ` (last: ${d.lastFailure})` : ''}. One trial run may start after ${d.cooldownSeconds} s.`,
        fields: [
          ...field('Failures', `${d.consecutiveFailures} of ${d.threshold}`),
          ...field('Last failure', d.lastFailure),
        ],
        severity: 'critical',
      };
    }
    case 'circuit.closed': {
      const d = message.data;
      return {
        title: 'Circuit breaker closed: runs start again',
        text:
          d.openedAt === null
            ? 'A trial run succeeded.'
            : `A trial run succeeded; it was open since ${at(d.openedAt)}.`,
        fields: [],
        severity: 'resolved',
      };
    }
    case 'host.disk': {
      const d = message.data;
      return hostState(
        d,
        {
          title: `Disk ${d.mount}${onHost(d)} is ${pct(d.usedPercent)} full`,
          text: `Above the ${pct(d.thresholdPercent)} threshold.`,
        },
        {
          title: `Disk ${d.mount}${onHost(d)} is back to ${pct(d.usedPercent)} full`,
          text: `Below the ${pct(d.thresholdPercent)} threshold again.`,
        },
        [
          ...field('Mount', d.mount),
          ...field('Used', pct(d.usedPercent)),
          ...field('Threshold', pct(d.thresholdPercent)),
        ],
      );
    }
    case 'host.memory': {
      const d = message.data;
      return hostState(
        d,
        {
          title: `Available memory${onHost(d)} is low: ${pct(d.availablePercent)}`,
          text: `Below the ${pct(d.thresholdPercent)} threshold.`,
        },
        {
          title: `Available memory${onHost(d)} is back to ${pct(d.availablePercent)}`,
          text: `Above the ${pct(d.thresholdPercent)} threshold again.`,
        },
        [...field('Available', pct(d.availablePercent)), ...field('Threshold', pct(d.thresholdPercent))],
      );
    }
    case 'host.load': {
      const d = message.data;
      const load = `${d.load1.toFixed(2)} on ${d.cores} cores`;
      return hostState(
        d,
        {
          title: `Load${onHost(d)} is high: ${load}`,
          text: `Above ${d.thresholdLoad} for at least ${d.sustainedMinutes} minutes.`,
        },
        { title: `Load${onHost(d)} is back to normal: ${load}`, text: `Below ${d.thresholdLoad} again.` },
        [
          ...field('Load (1 min)', d.load1.toFixed(2)),
          ...field('Cores', d.cores),
          ...field('Threshold', d.thresholdLoad),
        ],
      );
    }
    case 'approval.requested':
      return approval(message.data, false);
    case 'approval.expired':
      return approval(message.data, true);
    case 'storage.low': {
      const d = message.data;
      const free = `${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}`;
      return hostState(
        d,
        {
          title: `Low disk space for ClaudeOps: ${free}`,
          text: `Below the floor of ${formatBytes(d.floorBytes)} on the file system of ${d.dataDir}: new runs are refused until space is freed.`,
        },
        { title: `Disk space is back: ${free}`, text: 'New runs start again.' },
        [
          ...field('Data directory', d.dataDir),
          ...field('Free', free),
          ...field('Floor', formatBytes(d.floorBytes)),
        ],
      );
    }
    case 'storage.failing': {
      const d = message.data;
      const described = hostState(
        d,
        {
          title: `ClaudeOps cannot write its data (${d.code})`,
          text: `${d.reason} Runs were stopped and new ones are refused.`,
        },
        { title: 'ClaudeOps writes its data again', text: 'Storage works again; new runs start.' },
        [...field('Data directory', d.dataDir), ...field('Error', d.code)],
      );
      // Runs are being stopped: more than a warning.
      return d.state === 'firing' ? { ...described, severity: 'critical' } : described;
    }
    case 'notification.summary': {
      const d = message.data;
      const counts = Object.entries(d.byType)
        .sort(([, a], [, b]) => b - a)
        .map(([type, count]) => `${count} ${type}`)
        .join(', ');
      return {
        title: `${d.count} more notification${d.count === 1 ? '' : 's'}: ${counts}`,
        text: `Held back by this channel's rate limit between ${at(d.firstAt)} and ${at(d.lastAt)}:\n${d.titles.map((title) => `• ${title}`).join('\n')}`,
        fields: [],
        severity: 'info',
      };
    }
    case 'notification.test': {
      const d = message.data;
      return {
        title: 'Test message from ClaudeOps',
        text: `The channel “${d.channelName}” works.`,
        fields: [...field('Channel', `${d.channelName} (#${d.channelId})`)],
        severity: 'info',
      };
    }
  }
}

/**
 * The message in words with its link; an approval request also gets its approve and deny links
 * when the sender can sign them (`links`), each landing on a confirmation page.
 */
export function renderMessage(
  message: NotificationMessage,
  baseUrl: string,
  links?: ApprovalLinkMaker,
): RenderedMessage {
  const actions =
    message.type === 'approval.requested' && links
      ? [
          { label: 'Approve', url: pageUrl(baseUrl, links(message.data, 'allow')) },
          { label: 'Deny', url: pageUrl(baseUrl, links(message.data, 'deny')) },
        ]
      : [];
  return { ...describeMessage(message), url: pageUrl(baseUrl, message.data.path), actions };
}
