import { join } from 'node:path';
import { runCli } from '../../../src/cli/cli';

/** Runs the CLI in-process, collecting what it prints. */
async function sluice(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {} });
  return { code, stdout, stderr };
}

// Each run starts real pipelines (in virtual time): seconds on a loaded machine, not the default 5 s.
jest.setTimeout(60_000);

const FAILING = join('test', 'unit', 'testing', 'fixtures', 'failing-cases.yaml');

describe('sluice test', () => {
  it('passes the test file of every example under config/examples and of the custom-stage example project', async () => {
    const { code, stdout, stderr } = await sluice('test', 'config/examples');
    expect(stderr).toBe('');
    expect(stdout).not.toContain('✗');
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(code).toBe(0);
  }, 120_000);

  describe('on deliberately failing cases', () => {
    let report: { code: number; stdout: string };
    beforeAll(async () => {
      report = await sluice('test', FAILING);
    }, 60_000);

    it('exits 1 and counts passes and failures', () => {
      expect(report.code).toBe(1);
      expect(report.stdout).toContain('  ✓ passes');
      expect(report.stdout).toMatch(/^1 passed, 5 failed$/m);
    });

    it('names the event index and the dotted field path that differ, with the place of the expectation', () => {
      expect(report.stdout).toMatch(/output "alerts" \(test\/unit\/testing\/fixtures\/failing-cases\.yaml:17:7\): events differ \(expected 1, got 1\):\n {10}event 0: http\.status: expected 503, got 500\n/);
    });

    it('reports a missing event, an unexpected output and a count', () => {
      expect(report.stdout).toContain('event 1: missing, expected {"level":"error","message":"two"}');
      expect(report.stdout).toMatch(/output "archive" \(.*:31:7\): expected no events, got 1; first: \{"level":"error","message":"one","timestamp":"2026-01-01T00:00:00.000Z"\}/);
    });

    it('reports an event that fails a condition, and a drop the case did not state', () => {
      expect(report.stdout).toContain('event 0 does not meet conditions.0 {"field":"status","gte":500}: status is 200');
      expect(report.stdout).toContain('dropped events by "errors": expected 0, got 1 [filtered: 1] (state it under dropped: if it is meant)');
    });

    it('reports a dead-lettered event the case did not state', () => {
      expect(report.stdout).toContain('dead_lettered events by "archive": expected 0, got 1 (state it under dead_lettered: if it is meant)');
    });

    it('reports a pipeline that never drains instead of hanging', () => {
      expect(report.stdout).toContain('the pipeline did not drain within 1 h of virtual time after its inputs ended');
    });
  });

  it('prints JUnit XML with --reporter junit', async () => {
    const { code, stdout } = await sluice('test', FAILING, '--reporter', 'junit');
    expect(code).toBe(1);
    expect(stdout).toMatch(/<testsuite name="[^"]*failing-cases\.yaml" tests="6" failures="5" errors="0" time="[\d.]+">/);
    expect(stdout).toContain('<testcase name="passes" ');
  });

  it('refuses an unknown reporter and a path that does not exist, with exit 2', async () => {
    expect((await sluice('test', '--reporter', 'tap', FAILING)).code).toBe(2);
    const missing = await sluice('test', 'no/such/dir');
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'sluice test: no/such/dir: no such file or directory\n' });
  });

  it('prints its usage with --help', async () => {
    const { code, stdout } = await sluice('test', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: sluice test \[FILES\|DIRS\.\.\.\] \[options\]/);
  });
});
