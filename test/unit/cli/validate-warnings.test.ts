import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runCli } from '../../../src/cli/cli';
import { loadPipeline } from '../../../src/cli/load';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {} });
  return { code, stdout, stderr };
}

function config(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cli-warn-')), 'pipeline.yaml');
  writeFileSync(file, text);
  return file;
}

// The generator may hold 1000 events in flight; the sink waits for batches of 5000.
const STARVED = `sources:
  gen:
    type: generator
    count: 1
    max_in_flight_events: 1000
sinks:
  void:
    type: blackhole
    inputs: [gen]
    batch:
      max_events: 5000
`;

const THROUGH_BUFFER = `sources:
  gen:
    type: generator
    count: 1
    max_in_flight_events: 1000
transforms:
  spool:
    type: buffer
    inputs: [gen]
sinks:
  void:
    type: blackhole
    inputs: [spool]
    batch:
      max_events: 5000
`;

describe('sluice validate warnings', () => {
  it('prints a starved sink batch as file:line:col: warning: and still exits 0', async () => {
    const file = config(STARVED);
    const result = await cli('validate', '-c', file);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `${file}:11:7: warning: sinks.void.batch.max_events: 5000 events per batch, but the sources feeding this sink hold at most 1000 in flight ` +
        '(max_in_flight_events of gen: 1000), so no batch ever fills: each goes out short, after up to batch.timeout (100ms); ' +
        'lower batch.max_events or raise max_in_flight_events\n',
    );
    expect(result.stdout).toBe(`${file}: valid (1 warning): 1 source, 0 transforms, 1 sink\n`);
  });

  it('prints no warning when a standalone buffer sits between the source and the sink', async () => {
    const file = config(THROUGH_BUFFER);
    expect(await cli('validate', '-c', file)).toEqual({ code: 0, stdout: `${file}: valid: 1 source, 1 transform, 1 sink\n`, stderr: '' });
  });

  it('locates a warning about a defaulted option at the nearest option written', async () => {
    const file = config(STARVED.replace('    batch:\n      max_events: 5000\n', '').replace('1000', '10'));
    const result = await cli('validate', '-c', file);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:3: warning: sinks\\.void\\.batch\\.max_events: 10000 events per batch`));
  });
});

describe('loadPipeline warnings', () => {
  it('returns the warnings and logs each one when given a logger, as `sluice run` does at start', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const file = config(STARVED);
    const result = loadPipeline(file, {}, { logger });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.warnings).toEqual([expect.stringMatching(/:11:7: warning: sinks\.void\.batch\.max_events: 5000 events per batch/)]);
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; config: string });
    expect(logged).toEqual([
      expect.objectContaining({ level: 40, config: result.warnings[0], msg: expect.stringMatching(/^config warning: sinks\.void\.batch\.max_events: 5000/) }),
    ]);
  });
});
