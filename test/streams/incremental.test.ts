/** The incremental contract's capability checks: what makes a retriever an IncrementalRetriever or a support reporter. */
import { isIncrementalRetriever, isIncrementalSupportReporter } from '../../connector/streams/incremental';

describe('isIncrementalRetriever', () => {
  test.each<[string, unknown, boolean]>([
    ['a readIncremental method', { readIncremental: async function* () {} }, true],
    ['an instance whose class has readIncremental', new (class { async *readIncremental() {} })(), true],
    ['a readIncremental that is not a function', { readIncremental: true }, false],
    ['only incrementalSupport', { incrementalSupport: async () => ({ cursorField: [] }) }, false],
    ['an empty object', {}, false],
    ['null', null, false],
    ['undefined', undefined, false],
  ])('%s: %p', (_name, value, expected) => {
    expect(isIncrementalRetriever(value)).toBe(expected);
  });
});

describe('isIncrementalSupportReporter', () => {
  test.each<[string, unknown, boolean]>([
    ['an incrementalSupport method', { incrementalSupport: async () => ({ unsupported: 'no change tracking' }) }, true],
    ['an incrementalSupport that is not a function', { incrementalSupport: 'yes' }, false],
    ['only readIncremental', { readIncremental: async function* () {} }, false],
    ['null', null, false],
    ['a string', 'incrementalSupport', false],
  ])('%s: %p', (_name, value, expected) => {
    expect(isIncrementalSupportReporter(value)).toBe(expected);
  });
});
