// The agent's report buffer: what happened while the hub could not be told. It is a ring of fixed
// capacity, so an agent whose hub is down for days holds a bounded amount of memory; when it is
// full the oldest entry goes first, and the drop is counted so the hub can say how much history
// it will never see. Entries are numbered in order; a batch is taken from the oldest end and only
// removed once the hub has accepted it, so a failed send loses nothing and a retry sends the same
// entries in the same order.

/** BufferedEntry is one entry with its sequence number (increasing by one per push, from 1). */
export interface BufferedEntry<T> {
  seq: number;
  item: T;
}

/** ReportBuffer is the bounded ring described above. */
export class ReportBuffer<T> {
  readonly capacity: number;
  private readonly slots: (BufferedEntry<T> | undefined)[];
  private head = 0;
  private length = 0;
  private nextSeq = 1;
  private droppedUnreported = 0;
  private droppedEver = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ReportBuffer: capacity ${capacity} is not a positive whole number`);
    this.capacity = capacity;
    this.slots = new Array(capacity);
  }

  /** size is how many entries wait. */
  get size(): number {
    return this.length;
  }

  /** dropped counts the entries dropped since the count was last acknowledged (see acknowledgeDropped). */
  get dropped(): number {
    return this.droppedUnreported;
  }

  /** droppedTotal counts every entry ever dropped. */
  get droppedTotal(): number {
    return this.droppedEver;
  }

  /** push appends an entry; when the ring is full the oldest entry is dropped and counted. */
  push(item: T): BufferedEntry<T> {
    const entry = { seq: this.nextSeq++, item };
    if (this.length === this.capacity) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      this.droppedUnreported++;
      this.droppedEver++;
    }
    this.slots[(this.head + this.length) % this.capacity] = entry;
    this.length++;
    return entry;
  }

  /** peek answers up to `max` of the oldest entries, oldest first, without removing them. */
  peek(max: number): BufferedEntry<T>[] {
    const out: BufferedEntry<T>[] = [];
    for (let i = 0; i < Math.min(max, this.length); i++) out.push(this.slots[(this.head + i) % this.capacity]!);
    return out;
  }

  /**
   * acknowledge removes every entry up to and including `seq`. Entries dropped in the meantime
   * are simply no longer there, so acknowledging a batch that was partly overwritten is safe.
   */
  acknowledge(seq: number): number {
    let removed = 0;
    while (this.length > 0 && this.slots[this.head]!.seq <= seq) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      removed++;
    }
    return removed;
  }

  /**
   * discard removes entries up to `seq` that the hub will never accept (it refused them as
   * invalid); they count as dropped, so the loss is reported like any other.
   */
  discard(seq: number): number {
    const removed = this.acknowledge(seq);
    this.droppedUnreported += removed;
    this.droppedEver += removed;
    return removed;
  }

  /** acknowledgeDropped takes `count` off the unreported drops once a report carrying it was accepted. */
  acknowledgeDropped(count: number): void {
    this.droppedUnreported = Math.max(0, this.droppedUnreported - count);
  }
}
