import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledClaudeCode } from '../../src/lib/claude/bundledBinary';

describe('bundledClaudeCode', () => {
  it("finds the SDK's Claude Code binary for this platform, an executable file", () => {
    const binary = bundledClaudeCode();
    expect(binary).toBeDefined();
    const file = binary ?? '';
    expect(path.basename(path.dirname(file))).toMatch(
      new RegExp(`^claude-agent-sdk-${process.platform}-${process.arch}(-musl)?$`),
    );
    expect(path.basename(file)).toBe('claude');
    fs.accessSync(file, fs.constants.X_OK);
  });
});
