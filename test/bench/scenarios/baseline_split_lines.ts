import { ndjsonFixture, warmPageCache } from '../fixtures';
import { splitFileLines } from '../baseline';
import { timed, type Scenario } from '../scenario';

let path = '';
let sink: string[] = [];

/**
 * The reference for line-oriented sources: the same file, plain Node: `Buffer.indexOf`
 * line split and one UTF-8 string per line, one array of strings per 1 MiB chunk.
 * DESIGN §5 puts this near 580 MiB/s on one core.
 */
export const scenario: Scenario = {
  name: 'baseline_split_lines',
  description: 'plain Node: 1 MiB reads, indexOf split to one string per line (no sluice)',
  bytesBasis: 'file bytes',
  prepare() {
    ndjsonFixture();
  },
  async setup() {
    path = ndjsonFixture();
    warmPageCache(path);
  },
  async run() {
    let split = 0;
    const { value, durationMs, cpuMs } = await timed(() =>
      splitFileLines(path, (buf, starts, ends) => {
        const lines: string[] = new Array(starts.length);
        for (let i = 0; i < starts.length; i++) lines[i] = buf.toString('utf8', starts[i], ends[i]);
        split += lines.length;
        sink = lines;
      }),
    );
    if (split !== value.lines || sink.length === 0) throw new Error('baseline_split_lines: lines were not all split');
    return { events: split, bytes: value.bytes, durationMs, cpuMs };
  },
};
