import fs from 'node:fs';

/** PIDs of live processes whose environment contains `NAME=value` (how agent processes are tagged). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return `${fs.readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle);
      } catch {
        return false; // exited meanwhile, or not ours to read
      }
    })
    .map(Number);
}
