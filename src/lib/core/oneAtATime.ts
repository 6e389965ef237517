/**
 * `task` on request, never two runs at once: a request made while a run is under way asks for
 * one more run after it, and any number of such requests fold into that one. So each run starts
 * after the last one finished (its results are handled in the order they were read, never a stale
 * read after a newer one), and the last run always starts after the last request. A run's failure
 * goes to `onError` and does not stop the next.
 */
export function oneAtATime(task: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  async function run(): Promise<void> {
    running = true;
    do {
      again = false;
      try {
        await task();
      } catch (err) {
        onError(err);
      }
    } while (again);
    running = false;
  }
  return () => {
    if (running) again = true;
    else void run();
  };
}
