import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SYS_NET = '/sys/class/net';
const TEST_BRIDGE = 'br-claudeops';

/** Interfaces ClaudeOps would count as virtual: no device behind them (loopback and veth aside). */
function virtualInterfaces(): string[] {
  return fs
    .readdirSync(SYS_NET)
    .filter((name) => name !== 'lo' && !name.startsWith('veth'))
    .filter((name) => !fs.existsSync(path.join(SYS_NET, name, 'device')));
}

/**
 * Makes sure the machine has a virtual network interface for a test to see: this one has ifb0 and
 * ifb1; on one with none, a bridge is added (as root) and the returned function removes it.
 */
export function ensureVirtualInterface(): () => void {
  if (virtualInterfaces().length > 0) return () => {};
  try {
    execFileSync('ip', ['link', 'add', TEST_BRIDGE, 'type', 'bridge'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `This test needs a virtual network interface; the machine has none and adding one failed: ${String(error)}`,
    );
  }
  return () => execFileSync('ip', ['link', 'del', TEST_BRIDGE], { stdio: 'pipe' });
}
