/**
 * `sluice/testing`: test your own stages and pipelines the way sluice tests its own.
 *
 * - {@link testStage} runs any `OperatorFunction<Batch, Batch>` (yours, or a built-in
 *   transform by its YAML type via {@link transformStage}) over marble input under rxjs's
 *   `TestScheduler`, traces every input batch's ack and throws {@link LostAckError} when the
 *   stage loses one.
 * - {@link runPipeline} runs a whole pipeline spec (TypeScript or YAML) in virtual time with
 *   in-memory sources and capturing {@link ScriptedSink}s swapped in by component name.
 * - {@link ScriptedSink} fails the next N sends, fails given events, answers slowly: for
 *   retry, dead-letter and circuit-breaker configurations.
 * - {@link runTestFile} runs a declarative `*.test.yaml` file, as `sluice test` does.
 *
 * Nothing here depends on a test runner: assertions throw plain errors, so the kit works the
 * same under jest, `node:test`, mocha or vitest.
 */
export { AckLedger, causeOf, LostAckError, type AckRecord, type AckState } from './ack-ledger';
export { diffEvents, formatDifferences, withoutFields, type EventDifference, type FieldDifference } from './event-diff';
export { toEvents, tracedBatch, type BatchValue, type EventLike } from './event-like';
export { compareOutput, type OutputNote } from './marble-output';
export { memorySource, toFeed, type InputBatch, type InputFeed, type InputLike } from './memory-source';
export { runPipeline, type PipelineCounts, type PipelineRun, type PipelineTestOptions } from './pipeline-harness';
export { ScriptedSink, type FailureOptions, type SendRecord } from './scripted-sink';
export { testStage, type Downstream, type EmittedBatch, type StageRun, type StageTestOptions } from './stage-marbles';
export { runTestCase, type CaseResult } from './test-case';
export { loadTestFile, testFileSchema, type OutputExpectation, type SinkScript, type TestCase, type TestFile } from './test-file';
export { runTestFile, type FileResult } from './test-run';
export { transformStage, type TransformStageOptions } from './transform-stage';
export { DEFAULT_EPOCH_MS, VirtualClock } from './virtual-clock';
