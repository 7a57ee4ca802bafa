import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportBuffer } from './agent-buffer.js';

test('ReportBuffer keeps entries in order with increasing sequence numbers', () => {
  const buffer = new ReportBuffer<string>(4);
  for (const s of ['a', 'b', 'c']) buffer.push(s);
  assert.equal(buffer.size, 3);
  assert.deepEqual(buffer.peek(10), [
    { seq: 1, item: 'a' },
    { seq: 2, item: 'b' },
    { seq: 3, item: 'c' },
  ]);
  assert.deepEqual(buffer.peek(2).map((e) => e.item), ['a', 'b']);
  assert.equal(buffer.dropped, 0);
});

test('ReportBuffer drops the oldest entry first when full, and counts every drop', () => {
  const buffer = new ReportBuffer<number>(3);
  for (let i = 1; i <= 7; i++) buffer.push(i);
  assert.equal(buffer.size, 3);
  assert.deepEqual(buffer.peek(3), [
    { seq: 5, item: 5 },
    { seq: 6, item: 6 },
    { seq: 7, item: 7 },
  ]);
  assert.equal(buffer.dropped, 4);
  assert.equal(buffer.droppedTotal, 4);
});

test('ReportBuffer removes only what was acknowledged, and survives wrapping around', () => {
  const buffer = new ReportBuffer<number>(3);
  for (let i = 1; i <= 3; i++) buffer.push(i);
  const batch = buffer.peek(2);
  buffer.push(4); // drops 1, which was in the batch in flight
  assert.equal(buffer.acknowledge(batch.at(-1)!.seq), 1, 'only 2 is still there to remove');
  assert.deepEqual(buffer.peek(5).map((e) => e.item), [3, 4]);
  buffer.push(5);
  buffer.push(6);
  assert.deepEqual(buffer.peek(5).map((e) => e.item), [4, 5, 6]);
  assert.equal(buffer.acknowledge(100), 3);
  assert.equal(buffer.size, 0);
  assert.deepEqual(buffer.peek(5), []);
  assert.equal(buffer.push(7).seq, 7, 'sequence numbers never restart');
});

test('ReportBuffer reports the drop count until a report carrying it is accepted', () => {
  const buffer = new ReportBuffer<number>(2);
  for (let i = 1; i <= 5; i++) buffer.push(i);
  const reported = buffer.dropped;
  assert.equal(reported, 3);
  buffer.push(6); // one more drop while the report is in flight
  buffer.acknowledgeDropped(reported);
  assert.equal(buffer.dropped, 1, 'the drop after the report was taken is still to be reported');
  assert.equal(buffer.droppedTotal, 4);
});

test('ReportBuffer counts discarded entries (refused by the hub) as dropped', () => {
  const buffer = new ReportBuffer<number>(5);
  for (let i = 1; i <= 4; i++) buffer.push(i);
  assert.equal(buffer.discard(2), 2);
  assert.deepEqual(buffer.peek(5).map((e) => e.item), [3, 4]);
  assert.equal(buffer.dropped, 2);
});

test('ReportBuffer refuses a capacity that is not a positive whole number', () => {
  assert.throws(() => new ReportBuffer(0), RangeError);
  assert.throws(() => new ReportBuffer(1.5), RangeError);
});
