export const SERVER_BUNDLE: string;
export function bundledId(root: string): string | null;
export function bundleServer(root: string, buildId?: string): Promise<void>;
