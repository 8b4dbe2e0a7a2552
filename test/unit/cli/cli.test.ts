import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USAGE } from '../../../src/cli/args';
import { runCli } from '../../../src/cli/cli';

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {} });
  return { code, stdout, stderr };
}

function config(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cli-unit-')), 'pipeline.yaml');
  writeFileSync(file, text);
  return file;
}

const VALID = 'sources:\n  gen:\n    type: generator\n    count: 1\nsinks:\n  void:\n    type: blackhole\n    inputs: [gen]\n';

describe('sluice CLI arguments', () => {
  it('prints the usage on --help and exits 0', async () => {
    expect(await cli('--help')).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect((await cli('run', '-h')).stdout).toBe(USAGE);
  });

  it('prints the package version on --version', async () => {
    const { version } = jest.requireActual<{ version: string }>('../../../package.json');
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with the usage on stderr when no command is given', async () => {
    expect(await cli()).toEqual({ code: 2, stdout: '', stderr: USAGE });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"; commands: run, validate, graph, docs, dlq, test'],
    [['run', '--bogus'], "Unknown option '--bogus'"],
    [['validate', '-c'], "Option '-c, --config <value>' argument missing"],
    [['run', '--log-level', 'loud'], '--log-level must be one of trace, debug, info, warn, error, fatal, silent; got "loud"'],
    [['run', 'extra', 'args'], 'unexpected argument "extra"'],
  ])('rejects %j as a usage error: exit 2, one message and a pointer to --help', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`sluice: ${message}\nRun "sluice --help" for usage.\n`);
  });
});

describe('sluice validate and graph in-process', () => {
  it('validate summarises a valid config with singular and plural counts', async () => {
    const file = config(VALID);
    expect(await cli('validate', '--config', file)).toEqual({ code: 0, stdout: `${file}: valid: 1 source, 0 transforms, 1 sink\n`, stderr: '' });
  });

  it('validate counts the problems it printed', async () => {
    const file = config(VALID.replace('count: 1', 'count: -1').replace('[gen]', '[gen, ghost]'));
    const result = await cli('validate', '-c', file);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}:4:5: sources.gen.count: must be at least 0, got -1`,
      expect.stringContaining(`${file}:8:19: sinks.void.inputs.1: unknown input "ghost"`),
      '2 problems found',
    ]);
  });

  it('graph refuses an invalid config with the same errors as validate', async () => {
    const file = config(VALID.replace('type: blackhole', 'type: blakhole'));
    const [graph, validate] = [await cli('graph', '-c', file), await cli('validate', '-c', file)];
    expect(graph.code).toBe(2);
    expect(graph.stderr).toBe(validate.stderr);
    expect(graph.stderr).toContain('sinks.void.type: unknown sink type "blakhole"');
  });
});
