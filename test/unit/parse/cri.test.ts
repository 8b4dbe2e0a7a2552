import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray, type OperatorFunction } from 'rxjs';
import { parseCri, splitCriLine } from '../../../operators/parse/cri';
import { createBatch, type Batch } from '../../../src/core/batch';
import { BatchDeliveryError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { AckRecorder, eventsOf } from '../../helpers/batches';

const lines = readFileSync(join(__dirname, '../../fixtures/kubernetes/cri.log'), 'utf8').split('\n').slice(0, -1);

async function run(operator: OperatorFunction<Batch, Batch>, batches: Batch[]): Promise<Batch[]> {
  return lastValueFrom(from(batches).pipe(operator, toArray()));
}
const eventsIn = (batches: Batch[]): LogEvent[] => batches.flatMap((batch) => batch.events);

describe('parseCri on a containerd log with partial lines', () => {
  it('parses every line into timestamp, stream and message, joining the P pieces of stdout around an interleaved stderr line', async () => {
    const errors: string[] = [];
    const out = eventsIn(await run(parseCri({}, { onParseError: (_event, reason) => errors.push(reason) }), [createBatch(eventsOf(...lines))]));
    expect(out).toEqual([
      { timestamp: '2026-11-30T14:10:00.100000000Z', stream: 'stdout', message: 'GET /healthz 200 0.4ms' },
      { timestamp: '2026-11-30T14:10:00.200100000Z', stream: 'stderr', message: 'warning: cache miss for key user:42' },
      { timestamp: '2026-11-30T14:10:00.200000000Z', stream: 'stdout', message: '{"level":"info","msg":"report ready","rows":[1,2,3,4,5,6],"size":6}' },
      { timestamp: '2026-11-30T14:10:01.000000000Z', stream: 'stderr', message: '' },
      { timestamp: '2026-11-30T14:10:02.500000000+00:00', stream: 'stdout', message: 'shutting down' },
      { message: 'this line is not CRI', tags: ['cri_parse_error'] },
    ]);
    expect(errors).toEqual(['no RFC 3339 timestamp at the start']);
    expect(JSON.parse(String(out[2].message))).toEqual({ level: 'info', msg: 'report ready', rows: [1, 2, 3, 4, 5, 6], size: 6 });
  });

  it('joins pieces that arrive in different batches, and acks every piece with the joined event', async () => {
    const acks = new AckRecorder();
    const batches = [createBatch(eventsOf(lines[1]), acks.ack('first')), createBatch(eventsOf(lines[3]), acks.ack('second')), createBatch(eventsOf(lines[4]), acks.ack('last'))];
    const out = await run(parseCri(), batches);
    expect(out.map((batch) => batch.events.length)).toEqual([1]);
    expect(acks.pending()).toEqual(['first', 'second', 'last']);
    out[0].ack.reject(new BatchDeliveryError([{ index: 0, error: new Error('refused'), retryable: true }], 1));
    expect(acks.states('first', 'second', 'last')).toEqual({ first: 'rejected', second: 'rejected', last: 'rejected' });
    expect(acks.failedIndices('second')).toEqual([0]);
  });

  it('emits a partial line whose rest never came when the input completes', async () => {
    const out = eventsIn(await run(parseCri(), [createBatch(eventsOf('2026-11-30T14:10:00Z stdout P cut'))]));
    expect(out).toEqual([{ timestamp: '2026-11-30T14:10:00Z', stream: 'stdout', message: 'cut' }]);
  });

  it('starts a new event when joining would pass maxBytes', async () => {
    const piece = (text: string, tag = 'P') => `2026-11-30T14:10:00Z stdout ${tag} ${text}`;
    const out = eventsIn(await run(parseCri({ maxBytes: 8 }), [createBatch(eventsOf(piece('aaaa'), piece('bbbb'), piece('cc', 'F')))]));
    expect(out.map((event) => event.message)).toEqual(['aaaabbbb', 'cc']);
  });

  it('reads the CRI field from another field and removes it', async () => {
    const out = eventsIn(await run(parseCri({ field: 'log' }), [createBatch([{ log: lines[0], file: 'x' }])]));
    expect(out).toEqual([{ file: 'x', timestamp: '2026-11-30T14:10:00.100000000Z', stream: 'stdout', message: 'GET /healthz 200 0.4ms' }]);
  });

  it('refuses lines that only look like CRI', () => {
    expect(splitCriLine('2026-11-30T14:10:00Z stdin F x')).toEqual({ error: 'stream "stdin" is neither stdout nor stderr' });
    expect(splitCriLine('2026-11-30T14:10:00Z stdout X x')).toEqual({ error: 'log tag is neither F nor P' });
    expect(splitCriLine('2026-11-30T14:10:00Z stdout Fx x')).toEqual({ error: 'log tag is neither F nor P' });
    expect(splitCriLine('2026-11-30T14:10:00Z')).toEqual({ error: 'no RFC 3339 timestamp at the start' });
    expect(splitCriLine('2026-11-30T14:10:00Z stdout F')).toEqual({ timestamp: '2026-11-30T14:10:00Z', stream: 'stdout', partial: false, log: '' });
  });

  it('joins the same events, in the same order per stream, whatever way the lines are split into batches (property)', async () => {
    const piece = fc.tuple(fc.constantFrom('stdout', 'stderr'), fc.constantFrom('P', 'F'), fc.stringMatching(/^[a-z]{0,4}$/)).map(([stream, tag, log]) => `2026-11-30T14:10:00.1Z ${stream} ${tag} ${log}`);
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat({ max: 30 }), { maxLength: 6 }), async (input, cuts) => {
        const shown = (batches: Batch[]) => eventsIn(batches).map((event) => `${String(event.stream)}:${String(event.message)}`);
        const whole = shown(await run(parseCri({ maxBytes: 10 }), [createBatch(eventsOf(...input))]));
        const bounds = [...new Set([0, ...cuts.filter((cut) => cut < input.length), input.length])].sort((x, y) => x - y);
        const pieces = bounds.slice(0, -1).map((from, i) => createBatch(eventsOf(...input.slice(from, bounds[i + 1]))));
        const split = shown(await run(parseCri({ maxBytes: 10 }), pieces));
        // Streams may interleave differently; within a stream the order is the same.
        for (const stream of ['stdout:', 'stderr:']) expect(split.filter((text) => text.startsWith(stream))).toEqual(whole.filter((text) => text.startsWith(stream)));
        expect(split).toHaveLength(whole.length);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary input, and never loses a line (property)', async () => {
    const criish = fc.tuple(fc.constantFrom('2026-11-30T14:10:00.1Z', 'x'), fc.constantFrom('stdout', 'stderr', ''), fc.constantFrom('P', 'F', 'F:x', ''), fc.string({ maxLength: 10 })).map((parts) => parts.join(' '));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(criish, fc.string({ maxLength: 30 })), { maxLength: 20 }), async (input) => {
        const acks = new AckRecorder();
        const out = await run(parseCri({ maxBytes: 16 }), [createBatch(eventsOf(...input), acks.ack('in'))]);
        for (const batch of out) batch.ack.resolve();
        expect(acks.states('in')).toEqual({ in: 'resolved' });
        expect(eventsIn(out).length).toBeLessThanOrEqual(input.length);
      }),
      { numRuns: 300 },
    );
  });
});
