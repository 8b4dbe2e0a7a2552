import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { parseDocker, splitDockerLine } from '../../../operators/parse/docker';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { AckRecorder, eventsOf } from '../../helpers/batches';

const lines = readFileSync(join(__dirname, '../../fixtures/kubernetes/docker.log'), 'utf8').split('\n').slice(0, -1);

async function run(batches: Batch[], errors: string[] = []): Promise<Batch[]> {
  return lastValueFrom(from(batches).pipe(parseDocker({}, { onParseError: (_event, reason) => errors.push(reason) }), toArray()));
}
const eventsIn = (batches: Batch[]): LogEvent[] => batches.flatMap((batch) => batch.events);

describe('parseDocker on a json-file log', () => {
  it('parses every line, strips the newline (and CR), and joins the pieces of a line Docker split', async () => {
    const errors: string[] = [];
    const out = eventsIn(await run([createBatch(eventsOf(...lines))], errors));
    expect(out).toEqual([
      { message: 'listening on :8080', stream: 'stdout', timestamp: '2026-11-30T14:12:00.000000001Z' },
      { message: 'panic: runtime error', stream: 'stderr', timestamp: '2026-11-30T14:12:01.100000001Z' },
      { message: 'payload part one, part two', stream: 'stdout', timestamp: '2026-11-30T14:12:01.000000001Z' },
      { message: 'tagged', stream: 'stdout', attrs: { service: 'api' }, timestamp: '2026-11-30T14:12:02Z' },
      { message: '{"log":', tags: ['docker_parse_error'] },
    ]);
    expect(errors).toHaveLength(1);
  });

  it('acks the input once every piece is delivered', async () => {
    const acks = new AckRecorder();
    const out = await run([createBatch(eventsOf(lines[1]), acks.ack('a')), createBatch(eventsOf(lines[3]), acks.ack('b'))]);
    expect(acks.pending()).toEqual(['a', 'b']);
    for (const batch of out) batch.ack.resolve();
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
  });

  it('refuses JSON without a log string, and JSON nested deep enough to endanger later stages', () => {
    expect(splitDockerLine('{"msg":"x"}')).toEqual({ error: 'no "log" string' });
    expect(splitDockerLine('[1]')).toEqual({ error: 'not a JSON object' });
    expect(splitDockerLine(`{"log":"x\\n","attrs":${'['.repeat(100)}${']'.repeat(100)}}`)).toEqual({ error: 'nested deeper than 64 levels' });
  });

  it('never throws on arbitrary input (property)', async () => {
    const dockerish = fc.record({ log: fc.oneof(fc.string(), fc.constant('x\n')), stream: fc.constantFrom('stdout', 'stderr'), time: fc.string() }).map((value) => JSON.stringify(value));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(dockerish, fc.string(), fc.json()), { maxLength: 20 }), async (input) => {
        const out = await run([createBatch(eventsOf(...input))]);
        expect(eventsIn(out).length).toBeLessThanOrEqual(input.length);
      }),
      { numRuns: 300 },
    );
  });
});
