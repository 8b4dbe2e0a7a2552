import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt, removeTempDirs, runCli, tempDir, writeConfig } from './cli-harness';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

const PIPELINE = `sources:
  app:
    type: stdin
transforms:
  parse:
    type: json
    inputs: [app]
  errors:
    type: filter
    inputs: [parse]
    conditions:
      - { field: level, equals: error }
sinks:
  alerts:
    type: console
    inputs: [errors]
`;

/** One case that passes, one whose expected event is wrong on purpose (level, and a nested field). */
const TESTS = `pipeline: pipeline.yaml
tests:
  - name: keeps errors only
    inputs:
      app:
        fixture: lines.log
    outputs:
      alerts:
        ignore_fields: [timestamp]
        events:
          - { level: error, message: boom, http: { status: 500 } }
    dropped: { errors: 1 }
  - name: deliberately wrong expectation
    inputs:
      app: ['{"level":"error","message":"boom","http":{"status":500}}']
    outputs:
      alerts:
        ignore_fields: [timestamp]
        events:
          - { level: error, message: boom, http: { status: 502 } }
`;

function project(tests = TESTS): string {
  const dir = tempDir('sluice-test-cmd-');
  writeConfig(dir, PIPELINE);
  writeFileSync(join(dir, 'lines.log'), '{"level":"info","message":"fine"}\n{"level":"error","message":"boom","http":{"status":500}}\n');
  writeConfig(dir, tests, 'alerts.test.yaml');
  return dir;
}

describe('sluice test', () => {
  it('runs the test file of every example under config/examples and passes them all', async () => {
    const exit = await runCli(['test', 'config/examples']);
    expect(exit.stderr).toBe('');
    expect(exit.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(exit.code).toBe(0);
    // Every example pipeline has a test file that names it.
    const examples = ['edge-to-kafka', 'errors-only', 'fan-out', 'multi-output', 'reliable-archive', 's3-archive'];
    for (const name of examples) expect(exit.stdout).toContain(`config/examples/tests/${name}.test.yaml`);
  });

  it('exits 1 on a failing case and prints a diff naming the event index and the field path', async () => {
    const dir = project();
    const exit = await runCli(['test', dir]);
    expect(exit.code).toBe(1);
    expect(exit.stdout).toContain('✓ keeps errors only');
    expect(exit.stdout).toContain('✗ deliberately wrong expectation');
    expect(exit.stdout).toMatch(/output "alerts" \(.*alerts\.test\.yaml:\d+:\d+\): events differ/);
    expect(exit.stdout).toContain('event 0: http.status: expected 502, got 500');
    expect(exit.stdout).toContain('1 passed, 1 failed');
  });

  it('writes a JUnit report for CI with --reporter junit', async () => {
    const dir = project();
    const report = join(dir, 'junit.xml');
    const exit = await runCli(['test', join(dir, 'alerts.test.yaml'), '--reporter', 'junit', '--output', report]);
    expect(exit.code).toBe(1);
    const xml = readFileSync(report, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="sluice test" tests="2" failures="1">/);
    expect(xml).toMatch(/<testcase name="keeps errors only" classname="[^"]*alerts\.test\.yaml" time="[\d.]+"\/>/);
    expect(xml).toContain('<failure message="output &quot;alerts&quot;');
    expect(xml).toContain('event 0: http.status: expected 502, got 500</failure>');
  });

  it('exits 2 and names the file, line and option of an invalid test file', async () => {
    const dir = project(`pipeline: pipeline.yaml
tests:
  - name: typo
    outputs:
      alerts: { cuont: 1 }
`);
    const exit = await runCli(['test', dir]);
    expect(exit.code).toBe(2);
    expect(exit.stdout).toMatch(/alerts\.test\.yaml:5:17: tests\.0\.outputs\.alerts\.cuont: unknown option "cuont" \(did you mean "count"\?\)/);
  });
});
