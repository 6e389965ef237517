import type { ExecutionStatus } from '../contracts/executions';
import type { EventBus } from '../core/eventBus';
import type { EngineEvent } from '../engine/events';
import type { AnnouncementSource } from './runFeed';

/**
 * The one-box source (SQLite, one process): the engine's own events, published right after each
 * commit. A committed batch carries its lines, so a follower that is caught up needs no read.
 */
export function engineAnnouncements(events: EventBus<EngineEvent>): AnnouncementSource {
  return {
    subscribe(executionId, listener) {
      // Usage moves a run's view many times a second; only a change of status is announced.
      let status: ExecutionStatus | undefined;
      return events.subscribe((event) => {
        if (event.type === 'run.output') {
          if (event.executionId !== executionId) return;
          const { seq, steps, logs } = event;
          listener.onAnnouncement({ seq, stepSeq: steps.at(-1)?.seq, items: { steps, logs } });
        } else if ('execution' in event && event.execution.id === executionId) {
          if (event.execution.status === status) return;
          status = event.execution.status;
          listener.onAnnouncement({ seq: event.execution.lastSeq, status });
        }
      });
    },
  };
}
