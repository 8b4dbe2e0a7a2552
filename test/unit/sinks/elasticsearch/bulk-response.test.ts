import { classifyBulkItems, describeCause, type BulkResponseBody } from '../../../../src/sinks/elasticsearch/bulk-response';

// Responses recorded from Elasticsearch 8.19 (integ-test-zip) with the sink's filter_path;
// the 429 item from a node started with thread_pool.write.queue_size=1 (reason shortened).
const MIXED: BulkResponseBody = JSON.parse(`{"errors":true,"items":[
  {"index":{"status":201}},
  {"index":{"status":400,"error":{"type":"document_parsing_exception","reason":"[1:6] failed to parse field [n] of type [long] in document with id 'b'. Preview of field's value: 'abc'","caused_by":{"type":"illegal_argument_exception","reason":"For input string: \\"abc\\""}}}},
  {"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of TimedRunnable{...} on TaskExecutionTimeTrackingEsThreadPoolExecutor[name = sluice-test/write, queue capacity = 1, ...]"}}},
  {"index":{"status":400,"error":{"type":"invalid_index_name_exception","reason":"Invalid index name [BAD], must be lowercase","index_uuid":"_na_","index":"BAD"}}},
  {"index":{"status":503,"error":{"type":"unavailable_shards_exception","reason":"[logs][0] primary shard is not active Timeout: [1m]"}}},
  {"index":{"status":200}}
]}`);

const CONFLICT: BulkResponseBody = JSON.parse(`{"errors":true,"items":[
  {"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[a]: version conflict, document already exists (current version [1])","index_uuid":"EkBpGOUmSqmoNcyu5FsHHA","shard":"0","index":"shape-probe"}}},
  {"create":{"status":201}}
]}`);

describe('classifyBulkItems', () => {
  const positions = [10, 11, 12, 13, 14, 15];

  it('delivers 2xx items, retries 429 and 5xx items, and fails mapping and parsing errors for good', () => {
    const outcome = classifyBulkItems(MIXED, positions, 'index');
    expect(outcome.delivered).toEqual([10, 15]);
    expect(outcome.failures.map((f) => [f.index, f.retryable])).toEqual([
      [11, false],
      [12, true],
      [13, false],
      [14, true],
    ]);
    expect(Object.fromEntries(outcome.rejections)).toEqual({
      document_parsing_exception: 1,
      es_rejected_execution_exception: 1,
      invalid_index_name_exception: 1,
      unavailable_shards_exception: 1,
    });
  });

  it("keeps Elasticsearch's own error text, with its cause, for the dead-letter queue", () => {
    const [parsing] = classifyBulkItems(MIXED, positions, 'index').failures;
    expect(parsing.error.message).toBe(
      'Elasticsearch refused the document (400): document_parsing_exception: [1:6] failed to parse field [n] of type [long] in document with id \'b\'. ' +
        "Preview of field's value: 'abc' (caused by: illegal_argument_exception: For input string: \"abc\")",
    );
  });

  it('counts a create answered 409 as delivered: the document is there from an earlier attempt', () => {
    const outcome = classifyBulkItems(CONFLICT, [0, 1], 'create');
    expect(outcome.failures).toEqual([]);
    expect(outcome.delivered).toEqual([0, 1]);
    expect(outcome.alreadyIndexed).toBe(1);
  });

  it('fails a 409 on index (an external version conflict) for good', () => {
    const body = { errors: true, items: [{ index: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'conflict' } } }] };
    expect(classifyBulkItems(body, [0], 'index').failures[0]).toMatchObject({ index: 0, retryable: false });
  });

  it('delivers everything without looking at items when errors is false', () => {
    const body = { errors: false, items: [{ index: { status: 201 } }, { index: { status: 200 } }] };
    expect(classifyBulkItems(body, [3, 4], 'index')).toMatchObject({ delivered: [3, 4], failures: [] });
  });

  it('fails every document retryably when the items do not match the request one to one', () => {
    const outcome = classifyBulkItems({ errors: false, items: [{ index: { status: 201 } }] }, [0, 1], 'index');
    expect(outcome.delivered).toEqual([]);
    expect(outcome.failures.map((f) => [f.index, f.retryable])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(outcome.failures[0].error.message).toBe('bulk response has 1 item(s) for 2 document(s)');
    expect(classifyBulkItems({}, [0], 'index').failures).toHaveLength(1);
  });

  it('treats an item without a status as retryable (nothing says it was refused)', () => {
    expect(classifyBulkItems({ errors: true, items: [{ index: {} }] }, [0], 'index').failures[0].retryable).toBe(true);
  });
});

describe('describeCause', () => {
  it('joins type and reason, follows caused_by a few levels, and survives missing parts', () => {
    expect(describeCause({ type: 'a', reason: 'x', caused_by: { type: 'b', caused_by: { reason: 'z' } } })).toBe('a: x (caused by: b (caused by: z))');
    expect(describeCause(undefined)).toBe('no error detail');
    expect(describeCause({ reason: null })).toBe('unknown error');
  });
});
