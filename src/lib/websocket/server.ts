import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ExecutionLive } from '../contracts/executions';
import type { EventBus } from '../core/eventBus';
import type { Logger } from '../core/logger';
import type { Store } from '../db/store';
import type { EngineEvents } from '../engine/events';
import type { RunFeed } from '../live/runFeed';
import type { BackendEvent } from '../server/backend';
import { Broadcaster, send } from './broadcaster';
import { type ClientCommands, handleClientMessage } from './messageHandler';
import { MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION } from './protocol';

const HEARTBEAT_MS = 30_000;

export interface RealtimeServer {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Tells clients to reconnect (1012 service restart) and stops. */
  close(): void;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

export interface RealtimeDeps {
  store: Store;
  /** Runs' output from any sequence number, then live. */
  feed: RunFeed;
  events: EngineEvents;
  backendEvents: EventBus<BackendEvent>;
  /** A run as it is now (the engine's view while it runs, else the store's). */
  viewOf(executionId: number): Promise<ExecutionLive | undefined>;
  logger: Logger;
  isStillAuthorized(request: IncomingMessage): Promise<boolean>;
  commands: ClientCommands;
}

export function createRealtimeServer(deps: RealtimeDeps): RealtimeServer {
  const { logger } = deps;
  // ws's default maxPayload is 100 MiB; client frames are small commands.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const broadcaster = new Broadcaster(deps.store, deps.feed, deps.viewOf);
  const unsubscribeEngine = deps.events.subscribe((event) => broadcaster.onEvent(event));
  const unsubscribeBackend = deps.backendEvents.subscribe((event) => broadcaster.onBackendEvent(event));
  const alive = new WeakMap<object, boolean>();
  const upgradeRequests = new WeakMap<object, IncomingMessage>();

  wss.on('connection', (socket, request: IncomingMessage) => {
    upgradeRequests.set(socket, request);
    const session = broadcaster.add(socket);
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    // One frame after another: each may read the store before it answers.
    let inbox = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        send(socket, { type: 'error', code: 'bad_frame', message: 'Binary frames are not supported' });
        return;
      }
      const raw = rawToString(data);
      inbox = inbox.then(() => handleClientMessage(broadcaster, deps.commands, session, raw, logger));
    });
    socket.on('error', (error) => logger.warn({ err: error }, 'websocket error'));
    socket.on('close', () => broadcaster.remove(session));
    send(socket, { type: 'hello', protocolVersion: PROTOCOL_VERSION });
  });

  const closeUnlessAuthorized = (socket: WebSocket, request: IncomingMessage) =>
    deps.isStillAuthorized(request).then(
      (authorized) => {
        if (!authorized) socket.close(4401, 'Session ended; sign in again');
      },
      (err: unknown) =>
        logger.warn({ err }, 'websocket credentials could not be checked; the next heartbeat checks again'),
    );
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      const request = upgradeRequests.get(socket);
      if (request) closeUnlessAuthorized(socket, request);
      alive.set(socket, false);
      socket.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    handleUpgrade(request, socket, head) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    close() {
      clearInterval(heartbeat);
      unsubscribeEngine();
      unsubscribeBackend();
      broadcaster.close();
      for (const socket of wss.clients) socket.close(1012, 'Server restarting');
      wss.close();
    },
  };
}
