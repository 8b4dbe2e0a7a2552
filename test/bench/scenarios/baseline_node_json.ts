import { ndjsonFixture, warmPageCache } from '../fixtures';
import { splitFileLines } from '../baseline';
import { timed, type Scenario } from '../scenario';

let path = '';
let sink: unknown[] = [];

/**
 * The reference for `file_json_to_blackhole`: the same file, plain Node: `Buffer.indexOf`
 * line split, `JSON.parse` of each line's UTF-8 string, one array of parsed objects per
 * 1 MiB chunk (kept until the next chunk, as a batch would be). DESIGN §5 puts this near
 * 100 MiB/s of 200-byte lines on one core.
 */
export const scenario: Scenario = {
  name: 'baseline_node_json',
  description: 'plain Node: 1 MiB reads, indexOf split, JSON.parse per line (no sluice)',
  bytesBasis: 'file bytes',
  prepare() {
    ndjsonFixture();
  },
  async setup() {
    path = ndjsonFixture();
    warmPageCache(path);
  },
  async run() {
    let parsed = 0;
    const { value, durationMs, cpuMs } = await timed(() =>
      splitFileLines(path, (buf, starts, ends) => {
        const events: unknown[] = new Array(starts.length);
        for (let i = 0; i < starts.length; i++) events[i] = JSON.parse(buf.toString('utf8', starts[i], ends[i]));
        parsed += events.length;
        sink = events;
      }),
    );
    if (parsed !== value.lines || sink.length === 0) throw new Error('baseline_node_json: lines were not all parsed');
    return { events: parsed, bytes: value.bytes, durationMs, cpuMs };
  },
};
