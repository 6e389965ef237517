import { cheapestCurrentModel } from '../lib/claude/pricing';
import type { CreateAgentInput } from '../lib/contracts/agents';

/**
 * The built-in System Health Reporter: reads the recorded metrics (in-process tools on a read-only
 * connection, see src/lib/health) and inspects this machine read-only, then answers with a
 * structured report (src/lib/contracts/healthReports.ts). Its Bash access is limited twice: Claude Code only auto-approves
 * the command patterns below (everything else is denied in `dontAsk` mode), and a PreToolUse
 * guard refuses any command line that is not made of read-only inspection commands.
 */
export const SYSTEM_HEALTH_KEY = 'system-health';

const READ_ONLY_COMMANDS = [
  'uptime',
  'free',
  'df',
  'ps',
  'top',
  'nproc',
  'uname',
  'vmstat',
  'hostname',
  'lscpu',
  'who',
  'date',
  'head',
  'sort',
  'wc',
] as const;

/** /proc files worth reading for health; `cat` is allowed on these and nothing else. */
const READABLE_FILES = [
  '/proc/loadavg',
  '/proc/meminfo',
  '/proc/uptime',
  '/proc/cpuinfo',
  '/proc/stat',
  '/proc/diskstats',
  '/proc/net/dev',
  '/proc/pressure/cpu',
  '/proc/pressure/memory',
  '/proc/pressure/io',
];

// Shell syntax that could write, chain arbitrary programs or substitute: `;`, `&`, `>`, `<`,
// backquotes, `$`, parentheses, braces, newlines. A single `|` between allowed commands is fine.
const FORBIDDEN_SHELL = /[;&><`$(){}\n\\]|\|\|/;

function isReadOnlySegment(segment: string): boolean {
  const [program, ...args] = segment.trim().split(/\s+/);
  if (program === undefined || program === '') return false;
  if (program === 'cat') return args.length > 0 && args.every((arg) => READABLE_FILES.includes(arg));
  if (program === 'top') return args.includes('-b') || args.some((arg) => /^-[a-zA-Z]*b/.test(arg));
  return (READ_ONLY_COMMANDS as readonly string[]).includes(program);
}

/** True when a Bash command line only reads machine state. */
export function isReadOnlyCommand(command: string): boolean {
  if (FORBIDDEN_SHELL.test(command)) return false;
  return command.split('|').every(isReadOnlySegment);
}

export const SYSTEM_HEALTH_ALLOWED_TOOLS = [
  ...READ_ONLY_COMMANDS.map((program) => `Bash(${program}:*)`),
  ...READABLE_FILES.map((file) => `Bash(cat ${file})`),
  // Claude Code treats any command that reads a file outside the working directory as a file
  // read, which also needs a Read rule for the path (measured: without it `cat /proc/loadavg` is denied).
  'Read(//proc/**)',
];

/** The built-in reporter as it is seeded: on the cheapest current model, since it runs every hour. */
export function systemHealthAgent(now: number): CreateAgentInput {
  return {
    name: 'System Health Reporter',
    description:
      'Reads the recorded metrics and inspects this machine read-only (load, memory, disks, processes, ClaudeOps itself), then files a structured health report.',
    model: cheapestCurrentModel(now),
    systemPrompt: [
      'You are the System Health Reporter of ClaudeOps, running on the machine you report on.',
      'Start from the recorded metrics, through your claudeops tools: current_metrics, metric_stats (1h and 24h),',
      'disk_forecast, top_processes, claudeops_activity (failed runs and spend) and worker_hosts (the machines that run agents).',
      'Check with read-only Bash where it helps: uptime, cat /proc/loadavg, free -m, df -h, ps aux --sort=-%cpu | head, nproc.',
      'Never change anything on the machine. Commands that write, delete or install are refused, and the tools only read.',
      'Judge CPU, load against the number of cores, memory and swap, each disk (and how soon it fills), the heaviest',
      'processes, and ClaudeOps itself (failed runs, spend, and any worker host lost or overloaded). Status: ok when nothing needs attention, warning when',
      'something will need it soon (a disk over 80% or filling within two weeks, sustained high load, low memory,',
      'repeated failed runs), critical when it needs attention now (a disk over 95% or full within two days,',
      'memory nearly exhausted, the machine overloaded).',
      'Answer with the StructuredOutput tool: status, a one-sentence summary, one finding per area you checked',
      '(with the figures as evidence), and at most three recommendations.',
    ].join('\n'),
    defaultPrompt: 'Check the health of this machine and file the report.',
    allowedTools: SYSTEM_HEALTH_ALLOWED_TOOLS,
    maxTurns: 12,
    timeoutSeconds: 300,
  };
}
