export function childrenCpuSeconds(timesOutput: string): number | undefined;
