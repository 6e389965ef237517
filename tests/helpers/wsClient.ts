import WebSocket from 'ws';
import { parseServerFrame, type ServerFrame } from '../../src/lib/websocket/protocol';
import { BEARER } from './appServer';

/** A real WebSocket client that records every frame, parsed with the protocol's own schema. */
export interface RecordingSocket {
  readonly socket: WebSocket;
  readonly frames: ServerFrame[];
  send(frame: unknown): void;
  /** Resolves with the first recorded frame (past or future) that matches. */
  waitFor<T extends ServerFrame>(match: (frame: ServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function connectRecording(
  baseUrl: string,
  headers: Record<string, string> = BEARER,
): Promise<RecordingSocket> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers });
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    const frame = parseServerFrame(data.toString());
    if (!frame) throw new Error(`server sent a frame outside the protocol: ${data.toString().slice(0, 200)}`);
    frames.push(frame);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
  return {
    socket,
    frames,
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    waitFor(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no matching frame in ${timeoutMs} ms; got ${frames.map((f) => f.type).join(', ')}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** Every (seq, kind) an execution's frames delivered, in arrival order. */
export function deliveredSeqs(frames: readonly ServerFrame[], executionId: number): number[] {
  return frames.flatMap((frame) =>
    frame.type === 'execution.events' && frame.executionId === executionId
      ? [...frame.steps.map((s) => s.seq), ...frame.logs.map((l) => l.seq)].sort((a, b) => a - b)
      : [],
  );
}
