import { describe, expect, it } from 'vitest';
import { isReadOnlyCommand } from '../../src/agents/system-health';

describe('System Health Reporter command guard', () => {
  it.each([
    'uptime',
    'free -m',
    'df -h',
    'ps aux --sort=-%cpu | head -n 5',
    'cat /proc/loadavg',
    'cat /proc/meminfo /proc/uptime',
    'top -b -n 1 | head -20',
    'nproc',
    'uname -a',
  ])('allows %s', (command) => {
    expect(isReadOnlyCommand(command)).toBe(true);
  });

  it.each([
    'rm -rf /',
    'uptime; rm -rf /tmp/x',
    'uptime && touch /tmp/x',
    'df -h > /tmp/out',
    'cat /etc/shadow',
    'cat /proc/loadavg /etc/passwd',
    'echo $(whoami)',
    'ps `id`',
    'top',
    'curl http://example.com',
    'ps aux | sh',
    'uptime || reboot',
    'free\nrm -rf /',
    '',
  ])('refuses %j', (command) => {
    expect(isReadOnlyCommand(command)).toBe(false);
  });
});
