import type { FileResult } from '../../testing/test-run';

/** Totals over every file: cases passed and failed, and files that could not run. */
export interface Totals {
  readonly passed: number;
  readonly failed: number;
  readonly broken: number;
}

export function totals(results: readonly FileResult[]): Totals {
  let passed = 0;
  let failed = 0;
  let broken = 0;
  for (const result of results) {
    if (result.errors.length > 0) broken += 1;
    for (const testCase of result.cases) {
      if (testCase.passed) passed += 1;
      else failed += 1;
    }
  }
  return { passed, failed, broken };
}

/**
 * The readable report: per file, a line per case (`✓` or `✗`, real and virtual time), and
 * under a failed case every failure, diffs naming the event index and field path.
 */
export function textReport(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(result.file);
    for (const error of result.errors) lines.push(`  ✗ cannot run: ${error}`);
    for (const testCase of result.cases) {
      lines.push(`  ${testCase.passed ? '✓' : '✗'} ${testCase.name} (${testCase.durationMs} ms, ${formatVirtual(testCase.virtualMs)} virtual)`);
      for (const failure of testCase.failures) lines.push(failure.replace(/^/gm, '      '));
    }
  }
  const { passed, failed, broken } = totals(results);
  lines.push('', `${passed} passed, ${failed} failed${broken > 0 ? `, ${broken} file(s) could not run` : ''}`);
  return `${lines.join('\n')}\n`;
}

function formatVirtual(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] as string).replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '');

/**
 * JUnit XML, the format CI systems (GitLab, Jenkins, GitHub test reporters) read: one
 * `<testsuite>` per file, one `<testcase>` per case, a `<failure>` with the same text the
 * readable report prints; a file that could not run is one failed case named after it.
 */
export function junitReport(results: readonly FileResult[]): string {
  const { passed, failed, broken } = totals(results);
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="sluice test" tests="${passed + failed + broken}" failures="${failed + broken}">`];
  for (const result of results) {
    const time = result.cases.reduce((sum, testCase) => sum + testCase.durationMs, 0);
    const failures = result.cases.filter((testCase) => !testCase.passed).length + (result.errors.length > 0 ? 1 : 0);
    const count = result.cases.length + (result.errors.length > 0 ? 1 : 0);
    out.push(`  <testsuite name="${escapeXml(result.file)}" tests="${count}" failures="${failures}" errors="0" time="${seconds(time)}">`);
    if (result.errors.length > 0) {
      const text = result.errors.join('\n');
      out.push(`    <testcase name="${escapeXml(result.file)}" classname="${escapeXml(result.file)}" time="0"><failure message="the test file could not run">${escapeXml(text)}</failure></testcase>`);
    }
    for (const testCase of result.cases) {
      const open = `    <testcase name="${escapeXml(testCase.name)}" classname="${escapeXml(result.file)}" time="${seconds(testCase.durationMs)}"`;
      if (testCase.passed) out.push(`${open}/>`);
      else out.push(`${open}><failure message="${escapeXml(testCase.failures[0]?.split('\n')[0] ?? 'failed')}">${escapeXml(testCase.failures.join('\n'))}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
