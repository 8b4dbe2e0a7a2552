import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray, type OperatorFunction } from 'rxjs';
import { groupLines, type GroupLinesOptions } from '../../../operators/parse/multiline/group-lines';
import { mergeGroups } from '../../../operators/parse/multiline/merge-groups';
import { Ack } from '../../../src/core/ack';
import { createBatch, type Batch } from '../../../src/core/batch';
import { BatchDeliveryError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { AckRecorder, eventsOf } from '../../helpers/batches';

const fixture = (name: string): string[] => readFileSync(join(__dirname, '../../fixtures/stacktraces', name), 'utf8').split('\n').slice(0, -1);

async function run(operator: OperatorFunction<Batch, Batch>, batches: Batch[]): Promise<Batch[]> {
  return lastValueFrom(from(batches).pipe(operator, toArray()));
}
const messages = (batches: Batch[]): unknown[] => batches.flatMap((batch) => batch.events.map((event) => event.message));
const timestamped = (options: Partial<GroupLinesOptions> = {}) => groupLines({ rule: { startPattern: /^\d{4}-\d{2}-\d{2} / }, maxLines: 500, maxBytes: 1 << 20, ...options });

describe('groupLines on real-world stack traces', () => {
  it('merges a Spring Boot Java exception, its "Caused by" and "... omitted" lines into the event of its log line', async () => {
    const lines = fixture('java.log');
    const out = messages(await run(timestamped(), [createBatch(eventsOf(...lines))]));
    expect(out).toHaveLength(3);
    expect(out[0]).toBe(lines[0]);
    expect(out[1]).toBe(lines.slice(1, 11).join('\n'));
    expect(String(out[1]).split('\n')).toHaveLength(10);
    expect(out[1]).toMatch(/^2026-11-30 14:02:19\.907 ERROR .*\njava\.lang\.IllegalStateException: order 8812 has no shipping address\n\tat /);
    expect(out[1]).toMatch(/\nCaused by: java\.lang\.NullPointerException: [^]*\n\t\.\.\. 52 common frames omitted$/);
    expect(out[2]).toBe(lines[11]);
  });

  it('whitespace mode keeps the tab-indented frames but splits at "Caused by:", which is not indented', async () => {
    const lines = fixture('java.log');
    const out = messages(await run(groupLines({ rule: { continuationPattern: /^[ \t]/ }, maxLines: 500, maxBytes: 1 << 20 }), [createBatch(eventsOf(...lines))]));
    expect(out).toEqual([lines[0], lines[1], lines.slice(2, 7).join('\n'), lines.slice(7, 11).join('\n'), lines[11]]);
  });

  it('merges a Python traceback, including its unindented last line, into the event of its log line', async () => {
    const lines = fixture('python.log');
    const out = messages(await run(timestamped(), [createBatch(eventsOf(...lines))]));
    expect(out).toEqual([lines[0], lines.slice(1, 8).join('\n'), lines[8]]);
    expect(out[1]).toMatch(/\nKeyError: 'width'$/);
  });

  it('keeps the first line\'s other fields on the merged event, and joins only its field', async () => {
    const events: LogEvent[] = [
      { message: 'x', log: '2026-01-01 boom', host: 'a' },
      { message: 'y', log: '  at frame', host: 'b' },
    ];
    const [batch] = await run(timestamped({ field: 'log' }), [createBatch(events)]);
    expect(batch.events).toEqual([{ message: 'x', log: '2026-01-01 boom\n  at frame', host: 'a' }]);
  });

  it('never merges lines of different streams (group_by), even interleaved in one batch', async () => {
    const events: LogEvent[] = [
      { message: '2026-01-01 a', pod: 'p1' },
      { message: '2026-01-01 b', pod: 'p2' },
      { message: '  a1', pod: 'p1' },
      { message: '  b1', pod: 'p2' },
    ];
    const byPod = (event: LogEvent) => String(event.pod);
    const out = messages(await run(timestamped({ groupBy: byPod }), [createBatch(events)]));
    expect(out.sort()).toEqual(['2026-01-01 a\n  a1', '2026-01-01 b\n  b1']);
  });

  it('keeps batches of different files apart by their origin meta', async () => {
    const first = createBatch(eventsOf('2026-01-01 a'), Ack.create(), undefined, { source: 'files', path: '/a.log' });
    const second = createBatch(eventsOf('  not a continuation of a'), Ack.create(), undefined, { source: 'files', path: '/b.log' });
    const out = await run(timestamped(), [first, second]);
    expect(messages(out)).toEqual(['2026-01-01 a', '  not a continuation of a']);
    expect(out[0].meta).toBeUndefined(); // two origins merged into one output batch at completion
  });

  it('passes an event whose field is not a string alone, closing the group it interrupts', async () => {
    const events: LogEvent[] = [{ message: '2026-01-01 a' }, { message: '  more' }, { level: 'info' }, { message: '  orphan' }];
    const out = await run(timestamped(), [createBatch(events)]);
    expect(out.flatMap((batch) => batch.events)).toEqual([{ message: '2026-01-01 a\n  more' }, { level: 'info' }, { message: '  orphan' }]);
  });

  it('emits the oldest open group early rather than hold more than maxOpenGroups streams', async () => {
    const events: LogEvent[] = [
      { message: '2026-01-01 a', pod: '1' },
      { message: '2026-01-01 b', pod: '2' },
      { message: '2026-01-01 c', pod: '3' },
      { message: '  c1', pod: '3' },
    ];
    const operator = mergeGroups({
      keyOf: (event) => String(event.pod),
      startsGroup: (event) => String(event.message).startsWith('2026'),
      sizeOf: () => 1,
      join: (group) => ({ ...group[0], message: group.map((event) => event.message).join('+') }),
      maxOpenGroups: 2,
    });
    const [first, last] = await run(operator, [createBatch(events)]);
    expect(messages([first])).toEqual(['2026-01-01 a']);
    expect(messages([last])).toEqual(['2026-01-01 b', '2026-01-01 c+  c1']);
  });

  it('bounds an event by maxLines and maxBytes with the rule the file input uses', async () => {
    const lines = ['2026-01-01 a', ' 1', ' 2', ' 3', ' 4'];
    expect(messages(await run(timestamped({ maxLines: 2 }), [createBatch(eventsOf(...lines))]))).toEqual(['2026-01-01 a\n 1', ' 2\n 3', ' 4']);
    expect(messages(await run(timestamped({ maxBytes: 15 }), [createBatch(eventsOf(...lines))]))).toEqual(['2026-01-01 a\n 1', ' 2\n 3\n 4']);
  });

  it('resolves every line\'s ack when the merged event is delivered, and fails exactly the lines of a failed merged event', async () => {
    const acks = new AckRecorder();
    const a = createBatch(eventsOf('2026-01-01 one', '  1a', '2026-01-01 two'), acks.ack('a'));
    const b = createBatch(eventsOf('  2a', '  2b', '2026-01-01 three'), acks.ack('b'));
    const out = await run(timestamped(), [a, b]);
    expect(out.map((batch) => batch.events.length)).toEqual([1, 1, 1]);
    expect(acks.pending()).toEqual(['a', 'b']);
    out[0].ack.resolve();
    out[2].ack.resolve();
    // Event 0 of the second output batch ("two" + "2a" + "2b") failed.
    out[1].ack.reject(new BatchDeliveryError([{ index: 0, error: new Error('mapping conflict'), retryable: false }], 1));
    expect(acks.failedIndices('a')).toEqual([2]);
    expect(acks.failedIndices('b')).toEqual([0, 1]);
    expect(acks.cause('b')?.message).toBe('mapping conflict');
    expect(acks.count('a')).toBe(1);
    expect(acks.count('b')).toBe(1);
  });

  it('gives the same events whatever way the input is split into batches, and settles every input once (property)', async () => {
    const line = fc.oneof(fc.constantFrom('2026-01-01 start', '  frame', '\tat x', 'Caused by: y', ''), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 40 }), fc.array(fc.nat({ max: 40 }), { maxLength: 8 }), fc.integer({ min: 1, max: 6 }), async (lines, cuts, maxLines) => {
        const options = { maxLines, maxBytes: 40 };
        const whole = messages(await run(timestamped(options), [createBatch(eventsOf(...lines))]));
        const bounds = [...new Set([0, ...cuts.filter((cut) => cut < lines.length), lines.length])].sort((x, y) => x - y);
        const pieces: Batch[] = [];
        const inputs = new AckRecorder();
        for (let i = 0; i + 1 < bounds.length; i++) pieces.push(createBatch(eventsOf(...lines.slice(bounds[i], bounds[i + 1])), inputs.ack(String(i))));
        const out = await run(timestamped(options), pieces);
        expect(messages(out)).toEqual(whole);
        // Delivering every merged event settles every input batch, each exactly once.
        for (const batch of out) batch.ack.resolve();
        expect(inputs.pending()).toEqual([]);
        for (let i = 0; i < pieces.length; i++) expect(inputs.count(String(i))).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary lines, and every input line ends up in exactly one output event (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 20 }), { maxLength: 30 }), async (lines) => {
        const out = messages(await run(timestamped({ maxLines: 3, maxBytes: 30 }), [createBatch(eventsOf(...lines))]));
        expect(out.join('\n')).toBe(lines.join('\n'));
      }),
      { numRuns: 200 },
    );
  });
});
