/**
 * A body that asks for the next chunk only when the client has taken the last one, so a large
 * export neither sits in memory nor outruns a slow download. A failing page ends the download
 * early (the status line has gone out by then); the route wrapper cannot answer it any more.
 */
export function streamOf(chunks: Generator<string> | AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
