/**
 * A body that asks for the next chunk only when the client has taken the last one, so a large
 * export neither sits in memory nor outruns a slow download. A failing page ends the download
 * early (the status line has gone out by then); the route wrapper cannot answer it any more.
 */
export function streamOf(chunks: Generator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      chunks.return(undefined);
    },
  });
}
