import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assertBuilt, ROOT } from './cli-harness';

beforeAll(assertBuilt);

describe('sluice/testing under node:test', () => {
  it('passes the plain-JavaScript node:test spec of the example custom stage, importing the built package by name', () => {
    const spec = join(ROOT, 'config/examples/custom-stage/drop-health-checks.node-test.cjs');
    const result = spawnSync(process.execPath, ['--test', spec], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toMatch(/^# pass 2$/m);
    expect(result.stdout).toMatch(/^# fail 0$/m);
    expect(result.status).toBe(0);
  });
});
