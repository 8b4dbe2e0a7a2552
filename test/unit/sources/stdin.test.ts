import { PassThrough } from 'node:stream';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { stdinSource } from '../../../src/sources/stdin';
import { parseConfig, testSourceContext } from '../../helpers/context';

describe('stdinSource', () => {
  it('round-trips its example config with a 1 MiB default line bound', () => {
    expect(parseConfig(stdinSource, stdinSource.example)).toEqual(expect.objectContaining({ max_line_bytes: 1024 * 1024 }));
  });

  it('accepts max_line_bytes as a size string', () => {
    expect(parseConfig(stdinSource, { max_line_bytes: '64KiB' }).max_line_bytes).toBe(65536);
  });

  it('reads lines from process.stdin, truncating at max_line_bytes, and completes when stdin ends', async () => {
    const input = new PassThrough();
    const restore = Object.getOwnPropertyDescriptor(process, 'stdin') as PropertyDescriptor;
    Object.defineProperty(process, 'stdin', { value: input, configurable: true });
    try {
      const source = stdinSource.create(parseConfig(stdinSource, { max_line_bytes: 4 }), testSourceContext());
      const done = lastValueFrom(source.pipe(tap((batch) => batch.ack.resolve()), toArray()));
      input.end('one\ntwo three\nfour');
      const batches = await done;
      expect(batches.flatMap((batch) => batch.events.map((event) => event.message))).toEqual(['one', 'two ', 'four']);
    } finally {
      Object.defineProperty(process, 'stdin', restore);
    }
  });
});
