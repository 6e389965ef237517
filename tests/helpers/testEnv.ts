// Every Claude Code process a test starts must stay on this machine.
process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
process.env.DISABLE_TELEMETRY = '1';
process.env.DISABLE_AUTOUPDATER = '1';
