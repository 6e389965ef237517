/** Probe id → when the stdout line of the assistant or user message carrying it arrived. */
export const stdoutSeen: Map<string, number>;
/** Probe id → when the first WebSocket frame carrying it was handed to a socket. */
export const framesSent: Map<string, number>;
/** Taps the stdout of every Claude Code process spawned from now on (beside the SDK's own reader). */
export function tapAgentStdout(): void;
