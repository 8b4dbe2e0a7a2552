import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ES_URL } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { countDocuments, deadLetters } from '../integration/elasticsearch-sink-helpers';
import { assertBuilt, CLI, killLeftovers, removeTempDirs, startCli, tempDir, writeConfig } from './cli-harness';

/**
 * The YAML path end to end: `sluice run` reads JSON lines on stdin, parses them and indexes
 * them into the shared Elasticsearch, with a dead-letter queue; it exits 0 at EOF once every
 * document is either indexed or dead-lettered.
 */

const client = new Client({ node: ES_URL });
const prefix = `sluice-e2e-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  assertBuilt();
  await assertReachable('Elasticsearch', ES_URL);
});
afterEach(killLeftovers);
afterAll(async () => {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true }).catch(() => undefined);
  await client.close();
  removeTempDirs();
});

describe('sluice run with an elasticsearch sink', () => {
  it('indexes JSON lines from stdin into dated indices and dead-letters the mapping conflicts', async () => {
    const dir = tempDir();
    await client.indices.create({ index: `${prefix}-2024.05.02`, mappings: { properties: { status: { type: 'integer' } } } });
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const day = i < 1000 ? '01' : '02';
      const status = i >= 1000 && i % 100 === 7 ? '"OK"' : String(200 + (i % 5));
      lines.push(`{"timestamp":"2024-05-${day}T10:00:00.${String(i % 1000).padStart(3, '0')}Z","service":"api","seq":${i},"status":${status}}`);
    }
    const input = join(dir, 'input.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'state')}
api:
  enabled: false
sources:
  in:
    type: stdin
transforms:
  parsed:
    type: json
    inputs: [in]
sinks:
  search:
    type: elasticsearch
    inputs: [parsed]
    endpoints: ["\${ES_URL}"]
    index: ${prefix}-%Y.%m.%d
    compression: gzip
    batch:
      max_events: 500
    concurrency: 2
    dead_letter: {}
`,
    );
    const exit = await startCli([], { shell: `node ${CLI} run -c ${config} --log-level error < ${input}`, env: { ES_URL } }).exited;
    expect(exit).toMatchObject({ code: 0 });
    // The client's own diagnostics never reach the console: only sluice's logger writes there.
    expect(exit.stderr).toBe('');

    expect(await countDocuments(client, `${prefix}-2024.05.01`)).toBe(1000);
    expect(await countDocuments(client, `${prefix}-2024.05.02`)).toBe(1980);
    const dead = deadLetters(join(dir, 'state', 'dead_letter', 'search'));
    expect(dead.map((entry) => entry.event.seq).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 20 }, (_, k) => 1007 + 100 * k));
    expect(dead[0].error).toContain('document_parsing_exception');
  });
});
