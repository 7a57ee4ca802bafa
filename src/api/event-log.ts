import type { EventQuery, HistoryEvent, HistoryEventInput } from '../store/index.js';
import type { EventFeed } from './ports.js';

// The hub's one event stream: every event is recorded in the history first (which gives it its id)
// and then handed to the subscribers: server-sent event streams, metrics, notifications. A
// subscriber that throws is logged and skipped; it never stops the stream or the loop.

/** EventRecorder is where events are kept (the history store fits it). */
export interface EventRecorder {
  appendEvent<E extends HistoryEventInput>(event: E): E & HistoryEvent;
  listEvents(query: EventQuery): HistoryEvent[];
}

/** EventLogErrors is told about a failing recorder or subscriber. */
export type EventLogErrors = (error: unknown, where: 'record' | 'subscriber') => void;

/** HubEventLog records events and fans them out to subscribers. */
export class HubEventLog implements EventFeed {
  private readonly recorder: EventRecorder;
  private readonly listeners = new Set<(event: HistoryEvent) => void>();
  private readonly onError: EventLogErrors;

  constructor(recorder: EventRecorder, onError: EventLogErrors = () => {}) {
    this.recorder = recorder;
    this.onError = onError;
  }

  /**
   * publish records an event and hands it to every subscriber. When the history cannot be written
   * (a full disk), the event still reaches the subscribers, with id 0.
   */
  publish<E extends HistoryEventInput>(event: E): HistoryEvent {
    let recorded: HistoryEvent;
    try {
      recorded = this.recorder.appendEvent(event);
    } catch (error) {
      this.onError(error, 'record');
      recorded = { ...(event as HistoryEventInput), id: 0 };
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(recorded);
      } catch (error) {
        this.onError(error, 'subscriber');
      }
    }
    return recorded;
  }

  list(query: EventQuery): HistoryEvent[] {
    return this.recorder.listEvents(query);
  }

  subscribe(listener: (event: HistoryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** subscribers counts the live subscribers (open SSE streams and the like). */
  get subscribers(): number {
    return this.listeners.size;
  }
}
