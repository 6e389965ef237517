/** In-process publish/subscribe: subscribers are called in order, and one that throws is reported, not fatal. */
export class EventBus<E> {
  private readonly listeners = new Set<(event: E) => void>();

  /** Returns the unsubscribe function. */
  subscribe(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E, onListenerError: (error: unknown) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        onListenerError(error);
      }
    }
  }
}
