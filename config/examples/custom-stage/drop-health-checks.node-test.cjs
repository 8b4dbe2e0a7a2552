/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, as a JavaScript project without a build step writes it */
// The testing kit under node:test and node:assert, in plain JavaScript, from the built
// package (`npm run build`): nothing in the kit depends on a test runner. Run it with
//   node --test config/examples/custom-stage/drop-health-checks.node-test.cjs
'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { filter } = require('rxjs');
const { filterEvents } = require('sluice');
const { LostAckError, testStage } = require('sluice/testing');

/** The custom stage of drop-health-checks.ts, in JavaScript. */
const dropHealthChecks = (paths = ['/healthz', '/readyz', '/livez']) => filterEvents((event) => !paths.includes(event.path));

test('dropHealthChecks drops probes and settles every ack (node:test)', () => {
  const run = testStage({
    operator: () => dropHealthChecks(),
    input: '-a-b-|',
    values: { a: [{ message: 'GET /orders', path: '/orders' }], b: [{ message: 'GET /livez', path: '/livez' }] },
  });
  run.expectOutput('-a---|', { a: ['GET /orders'] });
  assert.deepEqual(run.acks.summary(), { a: 'resolved@1', b: 'resolved@3' });
});

test('the kit catches a stage that loses an ack (node:test)', () => {
  assert.throws(
    () => testStage({ operator: () => filter(() => false), input: 'a|', values: { a: 'dropped without a word' } }),
    (error) => error instanceof LostAckError && /input batch "a" sent at 0 ms/.test(error.message),
  );
});
