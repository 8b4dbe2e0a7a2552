/**
 * Summarises a V8 CPU profile (from `npm run bench -- --cpu-prof <scenario>`): where the
 * self time went, by function and by file, so a hot path can be read without DevTools.
 *
 *     node dist/test/bench/profile-summary.js bench-results/profiles/<scenario>-1.cpuprofile [top]
 *
 * `(idle)` is time the event loop waited (timers, I/O); `(garbage collector)` is GC.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) return path.slice(inModules + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function top(totals: Map<string, number>, count: number, allMs: number): string[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / allMs).toFixed(1).padStart(5)}%  ${key}`);
}

function summarise(path: string, count: number): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let allMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const file = shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byFile.set(file || frame.functionName, (byFile.get(file || frame.functionName) ?? 0) + ms);
    allMs += ms;
  });
  return [`${path}: ${allMs.toFixed(0)} ms sampled`, '', 'self time by function:', ...top(byFunction, count, allMs), '', 'self time by file:', ...top(byFile, count, allMs)].join('\n');
}

const [file, limit] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/test/bench/profile-summary.js <file.cpuprofile> [top=25]');
  process.exit(2);
}
console.log(summarise(file, Number(limit ?? 25)));
