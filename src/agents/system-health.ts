import type { CreateAgentInput } from '../lib/contracts/agents';

/**
 * The built-in System Health Reporter: inspects this machine read-only and answers with a
 * short structured report. Its Bash access is limited twice: Claude Code only auto-approves
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

export const systemHealthAgent: CreateAgentInput = {
  name: 'System Health Reporter',
  description:
    'Inspects this machine read-only (uptime, load, memory, disk, top processes) and reports its health.',
  model: 'claude-sonnet-4-5',
  systemPrompt: [
    'You are the System Health Reporter of ClaudeOps, running on the machine you report on.',
    'Use only read-only Bash commands: uptime, cat /proc/loadavg, free -m, df -h, ps aux --sort=-%cpu | head, nproc, uname -a.',
    'Never change anything on the machine. Commands that write, delete or install are refused.',
    'Answer with a short report in exactly this structure:',
    'Overall: OK | WARNING | CRITICAL — one sentence why',
    'Uptime and load: …',
    'Memory: used / total (percent)',
    'Disk: each filesystem above 80% full, or "all below 80%"',
    'Top processes: the three heaviest by CPU and memory',
    'Recommendations: at most three, or "none"',
  ].join('\n'),
  defaultPrompt: 'Check the health of this machine and write the report.',
  allowedTools: SYSTEM_HEALTH_ALLOWED_TOOLS,
  maxTurns: 12,
  timeoutSeconds: 300,
};
