import { assertBuilt, killLeftovers, removeTempDirs, runCli, tempDir, writeConfig } from '../e2e/cli-harness';

/** Temp paths are plain, but a path is data, not a pattern. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

const BROKEN = `sources:
  gen:
    type: generator
    cuont: 10
    rate: fast
transforms:
  parse:
    type: json
    inputs: [gen, nope]
sinks:
  out:
    type: file
    inputs: [parse]
`;

describe('sluice validate', () => {
  it('prints file:line:col and the option path of every problem at once, and exits 2', async () => {
    const config = writeConfig(tempDir(), BROKEN);
    const exit = await runCli(['validate', '-c', config]);

    expect(exit.code).toBe(2);
    const lines = exit.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${literal(config)}:4:5: sources\\.gen\\.cuont: unknown option "cuont" \\(did you mean "count"\\?\\)`)),
      `${config}:5:5: sources.gen.rate: expected a number, got string`,
      expect.stringMatching(new RegExp(`^${literal(config)}:9:19: transforms\\.parse\\.inputs\\.1: unknown input "nope"`)),
      '3 problems found',
    ]);
    expect(exit.stdout).toBe('');
  });

  it('prints a one-line summary of a valid pipeline and exits 0', async () => {
    const config = writeConfig(tempDir(), BROKEN.replace('    cuont: 10\n    rate: fast\n', '').replace(', nope', ''));
    const exit = await runCli(['validate', '-c', config]);
    expect(exit).toMatchObject({ code: 0, stdout: `${config}: valid: 1 source, 1 transform, 1 sink\n` });
  });

  it('names the line of a YAML syntax error', async () => {
    const config = writeConfig(tempDir(), 'sources:\n  gen:\n    type: generator\n   bad indent: [\n');
    const exit = await runCli(['validate', '-c', config]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(new RegExp(`^${literal(config)}:\\d+:\\d+: YAML syntax error`));
  });

  it('reports an unset environment variable at the line that uses it', async () => {
    const config = writeConfig(tempDir(), BROKEN.replace('    cuont: 10\n    rate: fast\n', '    rate: ${SLUICE_TEST_UNSET_RATE}\n').replace(', nope', ''));
    const exit = await runCli(['validate', '-c', config], { env: { SLUICE_TEST_UNSET_RATE: '' } });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(`${config}:4:5: sources.gen.rate: environment variable SLUICE_TEST_UNSET_RATE is not set`);
  });

  it('exits 2 with the file name when the config file does not exist', async () => {
    const exit = await runCli(['validate', '-c', '/nonexistent/sluice.yaml']);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('/nonexistent/sluice.yaml: cannot read the config file (ENOENT)');
  });
});

describe('sluice graph', () => {
  it('prints the pipeline as a Mermaid flowchart with an edge per input', async () => {
    const config = writeConfig(tempDir(), BROKEN.replace('    cuont: 10\n    rate: fast\n', '').replace(', nope', ''));
    const exit = await runCli(['graph', '-c', config]);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe(
      ['flowchart LR', '  gen(["gen [generator]"])', '  parse["parse [json]"]', '  out[("out [file]")]', '  gen --> parse', '  parse --> out', ''].join('\n'),
    );
  });
});
