import { describeStorageFault, storageFaultOf } from '../core/storageFault';

/** Where the server was told to listen and keep its data, as far as the environment was read. */
export interface StartupPlace {
  host: string;
  port: number;
  dataDir: string;
}

/** A start-up condition whose message already says what to do (a stale build). */
export class StartupError extends Error {
  override name = 'StartupError';
}

const KNOWN = new Set([
  'EnvError',
  'InstanceLockError',
  'MigrationError',
  'DatabaseOpenError',
  'PostgresOpenError',
  'StartupError',
]);

function listenFailure(code: string, place: StartupPlace): string | null {
  const { host, port } = place;
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use (EADDRINUSE): another ClaudeOps or another program listens there. Stop it, or start on a free port: PORT=${port + 1} npm start`;
    case 'EACCES':
      return `Port ${port} on ${host} needs more privileges than this user has (EACCES; ports below 1024 need root). Use PORT=3000 or above, behind a reverse proxy if it must be 80 or 443.`;
    case 'EADDRNOTAVAIL':
      return `HOST=${host} is not an address of this machine (EADDRNOTAVAIL). Use 127.0.0.1, or one of this machine's own addresses.`;
    default:
      return null;
  }
}

/**
 * What the console says when the start fails: the cause named (the file, the migration, the
 * port) and what to do. Errors made for the purpose (environment, lock, migration, database file)
 * already say so; system errors get the words here; anything else keeps its stack.
 */
export function describeStartupError(error: unknown, place: StartupPlace | undefined): string {
  if (!(error instanceof Error)) return String(error);
  if (KNOWN.has(error.name)) return error.message;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (place && syscall === 'listen' && code) {
    const listen = listenFailure(code, place);
    if (listen) return listen;
  }
  const fault = storageFaultOf(error);
  if (fault && place) return `Could not start: ${describeStorageFault(fault, path ?? place.dataDir)}`;
  if (path && code) {
    return `Could not start: ${path} cannot be used (${code}: ${error.message}). Make it, and its directory, writable by the server's user (uid ${process.getuid?.() ?? '?'}), or set CLAUDEOPS_DATA_DIR (or DATABASE_PATH) elsewhere.`;
  }
  return error.stack ?? error.message;
}
