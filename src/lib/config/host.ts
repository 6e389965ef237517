import os from 'node:os';
import { env } from './env';

/**
 * The name of this process's machine, as its workers (`workers.host`) and its metrics
 * (`host_samples.host`) are filed under: one name, so a host's runs and its charts meet. The
 * hostname, unless CLAUDEOPS_HOST_NAME gives a lasting one.
 */
export const thisHost = (): string => env().hostName ?? os.hostname();
