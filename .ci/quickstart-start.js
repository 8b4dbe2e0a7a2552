#!/usr/bin/env node
/* global require, process, console, setTimeout, clearTimeout */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain script CI runs before anything is built */
'use strict';
// CI's check of the README's first command, run in a clean clone after `npm ci`: `npm start`
// runs the default pipeline (compiling on first use), stores a piped JSON line as parsed
// fields, and on SIGTERM to npm's own pid (what systemd, Docker and `timeout` send) drains
// and exits 0. Any self-log line at warn or above, or any other stderr output than the
// one-time compile note, fails it: the quick start must run with no error output.

const { spawn } = require('node:child_process');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const DEADLINE_MS = 180_000; // the first start compiles TypeScript on a busy 2-core machine
const logs = join('data', 'logs');

function storedEvents() {
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .flatMap((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

function fail(message, stderr) {
  console.error(`quick start: ${message}`);
  if (stderr) console.error(`npm start wrote on stderr:\n${stderr}`);
  process.exit(1);
}

const npm = spawn('npm', ['start'], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
let stderr = '';
npm.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
npm.stdin.write('{"level":"info","message":"hello from the quick start"}\n');
const giveUp = setTimeout(() => {
  npm.kill('SIGKILL');
  fail(`no parsed event in ${logs} after ${DEADLINE_MS / 1000} s`, stderr);
}, DEADLINE_MS);

const poll = () => {
  const event = storedEvents().find((stored) => stored.message === 'hello from the quick start');
  if (!event) return void setTimeout(poll, 200);
  if (event.level !== 'info') fail(`the piped JSON line was not parsed into fields: ${JSON.stringify(event)}`, stderr);
  npm.kill('SIGTERM');
};
setTimeout(poll, 200);

npm.on('exit', (code, signal) => {
  clearTimeout(giveUp);
  if (code !== 0) fail(`npm start exited with ${code ?? signal} after SIGTERM, not 0`, stderr);
  const noise = stderr
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('sluice: compiling'))
    .filter((line) => {
      try {
        return JSON.parse(line).level >= 40;
      } catch {
        return true;
      }
    });
  if (noise.length > 0) fail(`npm start wrote warnings or errors:\n${noise.join('\n')}`);
  if (!/"msg":"sluice stopped"/.test(stderr) || !/"outcome":"drained"/.test(stderr)) fail('no drained "sluice stopped" line', stderr);
});
