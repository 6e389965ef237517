// Reads the shell's `times` output: four figures (`0m1.230s`), the shell's own user and system
// time, then its children's. `npm test` reads it for each phase's CPU, and a test for what a tool's
// processes really got.

/**
 * The children's CPU seconds (user + system) in `times` output (its lines may be joined by
 * spaces), or undefined when the text does not hold the four figures.
 */
export function childrenCpuSeconds(timesOutput) {
  const figures = [...timesOutput.matchAll(/(\d+)m([\d.]+)s/g)].map(
    ([, minutes, seconds]) => Number(minutes) * 60 + Number(seconds),
  );
  if (figures.length !== 4) return undefined;
  return figures[2] + figures[3];
}
