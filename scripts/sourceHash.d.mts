export function sourceHash(root: string): string;
export function builtId(root: string): string | null;
