#!/usr/bin/env node
/* global require, process, __dirname, console */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
'use strict';
// The `sluice` command from a source checkout (package.json "bin" and `npm start`): runs
// the compiled CLI in this very process, compiling it first only when dist/ is missing or
// older than a source file. Plain JavaScript because it must work before anything is built
// (`npx sluice --help` straight after `npm ci`). It never spawns the CLI as a child: the
// node process that npm, systemd or a container runtime started is the one that receives
// SIGTERM/SIGINT and drains. Production images run dist/src/cli/main.js directly.

const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const main = join(dist, 'src', 'cli', 'main.js');

/** What tsconfig.build.json compiles: these trees, less tests and specs. */
const SOURCE_TREES = ['src', 'operators', join('test', 'bench'), join('test', 'helpers')];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/** The first TypeScript source newer than its compiled output (or without one), if any. */
function staleSource(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined; // a tree that is not there (a packed install) has nothing to rebuild
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = staleSource(path);
      if (found) return found;
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts') || /\.(test|spec)\.ts$/.test(entry.name)) continue;
    const output = join(dist, relative(root, path)).replace(/\.ts$/, '.js');
    const built = mtime(output);
    if (built === undefined || (mtime(path) ?? 0) > built) return relative(root, path);
  }
  return undefined;
}

/** Why dist/ must be rebuilt before running, or undefined when it is current. */
function rebuildReason() {
  const built = mtime(main);
  if (built === undefined) return 'dist/ is not built yet';
  const config = CONFIGS.find((file) => (mtime(join(root, file)) ?? 0) > built);
  if (config) return `${config} changed`;
  for (const tree of SOURCE_TREES) {
    const source = staleSource(join(root, tree));
    if (source) return `${source} changed`;
  }
  return undefined;
}

function compile(reason) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    // An install without dev dependencies cannot compile: run what is there, if anything.
    if (existsSync(main)) return;
    console.error(`sluice: ${reason} and TypeScript is not installed: run \`npm ci\` (with dev dependencies), then \`npm run build\``);
    process.exit(1);
  }
  console.error(`sluice: compiling (${reason})...`);
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error('sluice: the TypeScript build failed (errors above); fix them or run `npm run build` to see them again');
    process.exit(1);
  }
}

const reason = rebuildReason();
if (reason) compile(reason);
require(main);
