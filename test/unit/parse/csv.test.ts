import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { parseCsvLines, type ParseCsvOptions } from '../../../operators/parse/csv';
import { readCsvRecord } from '../../../operators/parse/csv-record';
import { Ack } from '../../../src/core/ack';
import { createBatch, type Batch } from '../../../src/core/batch';
import { BatchDeliveryError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { AckRecorder, eventsOf } from '../../helpers/batches';

async function run(options: ParseCsvOptions, batches: Batch[], hooks: { reasons?: string[]; discarded?: number[] } = {}): Promise<Batch[]> {
  const operator = parseCsvLines(options, { onParseError: (_event, reason) => hooks.reasons?.push(reason), onDiscard: (count) => hooks.discarded?.push(count) });
  return lastValueFrom(from(batches).pipe(operator, toArray()));
}
const eventsIn = (batches: Batch[]): LogEvent[] => batches.flatMap((batch) => batch.events);

describe('parseCsvLines', () => {
  it('names the columns of each row from configured columns, with RFC 4180 quoting', async () => {
    const rows = ['2026-11-30,alice,"login, from ""office"""', '2026-11-30,bob,logout'];
    const out = eventsIn(await run({ columns: ['date', 'user', 'action'] }, [createBatch(eventsOf(...rows))]));
    expect(out).toEqual([
      { date: '2026-11-30', user: 'alice', action: 'login, from "office"' },
      { date: '2026-11-30', user: 'bob', action: 'logout' },
    ]);
  });

  it('takes the first row of each stream as its header, drops it on purpose, and resolves its share of the ack', async () => {
    const acks = new AckRecorder();
    const discarded: number[] = [];
    const a = createBatch(eventsOf('id;name', '1;Ann'), acks.ack('a'), undefined, { source: 'f', path: '/a.csv' });
    const b = createBatch(eventsOf('key;value', 'x;y'), acks.ack('b'), undefined, { source: 'f', path: '/b.csv' });
    const c = createBatch(eventsOf('2;Bo'), acks.ack('c'), undefined, { source: 'f', path: '/a.csv' });
    const out = await run({ delimiter: ';' }, [a, b, c], { discarded });
    expect(eventsIn(out)).toEqual([{ id: '1', name: 'Ann' }, { key: 'x', value: 'y' }, { id: '2', name: 'Bo' }]);
    expect(discarded).toEqual([1, 1]);
    out[0].ack.reject(new BatchDeliveryError([{ index: 0, error: new Error('no'), retryable: false }], 1));
    out[1].ack.resolve();
    out[2].ack.resolve();
    // The failed row "1;Ann" is event 1 of batch a (event 0 was its header).
    expect(acks.failedIndices('a')).toEqual([1]);
    expect(acks.states('b', 'c')).toEqual({ b: 'resolved', c: 'resolved' });
  });

  it('acknowledges a batch holding only a header without emitting it', async () => {
    const ack = Ack.create();
    expect(await run({}, [createBatch(eventsOf('a,b'), ack)])).toEqual([]);
    expect(ack.result).toEqual({ ok: true });
  });

  it('tags and counts rows it cannot read, keeping them unchanged', async () => {
    const reasons: string[] = [];
    const rows = ['1,2,3', '"open,1', '"x"y,2', '1,2\n3,4', '1,2'];
    const out = eventsIn(await run({ columns: ['a', 'b'] }, [createBatch([...eventsOf(...rows), { level: 'x' }])], { reasons }));
    expect(out.map((event) => event.tags ?? event.a)).toEqual([['csv_parse_error'], ['csv_parse_error'], ['csv_parse_error'], ['csv_parse_error'], '1', ['csv_parse_error']]);
    expect(reasons).toEqual(['3 fields where there are 2 columns', 'unterminated quoted field', 'text after a closing quote', 'more than one record', 'field is missing']);
  });

  it('puts columns under a target and copies events of a shared batch instead of changing them', async () => {
    const original = { line: '1\t"a\tb"' };
    const out = eventsIn(await run({ field: 'line', target: 'row', columns: ['n', 'text'], delimiter: '\t' }, [{ ...createBatch([original]), shared: true }]));
    expect(out).toEqual([{ row: { n: '1', text: 'a\tb' } }]);
    expect(original).toEqual({ line: '1\t"a\tb"' });
  });

  it('reads a quoted field spanning lines, and a trailing delimiter as one more empty field', () => {
    expect(readCsvRecord('"a\nb",c,\n', 0)).toEqual({ fields: ['a\nb', 'c', ''], next: 9, newlines: 2 });
    expect(readCsvRecord('x|y|', 0, { delimiter: '|', quote: "'" })).toEqual({ fields: ['x', 'y', ''], next: 4, newlines: 0 });
  });

  it('never throws on arbitrary rows in any dialect (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }), { maxLength: 10 }), fc.constantFrom(',', ';', '\t', '"'), fc.boolean(), async (rows, delimiter, withColumns) => {
        const quote = delimiter === '"' ? "'" : '"';
        const out = await run({ delimiter, quote, columns: withColumns ? ['a', 'b'] : undefined }, [createBatch(eventsOf(...rows))]);
        expect(eventsIn(out).length).toBeLessThanOrEqual(rows.length);
      }),
      { numRuns: 500 },
    );
  });
});
