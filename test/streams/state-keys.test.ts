import { isPlatformKey, ownStateKeys, unknownStateKeys } from '../../connector/streams/state-keys';

test.each([
  ['__ab_full_refresh_sync_complete', true],
  ['__x', true],
  ['_ab_cdc_deleted_at', false],
  ['modifiedon', false],
])('isPlatformKey(%s) is %s', (key, expected) => {
  expect(isPlatformKey(key)).toBe(expected);
});

test('ownStateKeys leaves out platform keys', () => {
  expect(ownStateKeys({ __ab_no_cursor_state_message: true, deltatoken: 't' })).toEqual(['deltatoken']);
});

describe('unknownStateKeys', () => {
  test.each<[string, Record<string, unknown>, string[], string | undefined]>([
    ['none', { modifiedon: 'x' }, ['modifiedon'], undefined],
    ['an empty state', {}, [], undefined],
    ['platform keys only', { __ab_full_refresh_sync_complete: true }, [], undefined],
    ['one', { modifiedon: 'x', cursor: 1 }, ['modifiedon'], '"cursor"'],
    ['two', { a: 1, b: 2 }, [], '"a" and "b"'],
    ['three', { a: 1, b: 2, c: 3 }, [], '"a", "b" and "c"'],
    ['five: three named, the rest counted', { a: 1, b: 2, c: 3, d: 4, e: 5 }, [], '"a", "b", "c" and 2 more keys'],
    ['a 100 KB key is cut', { ['k'.repeat(100_000)]: 1 }, [], `"${'k'.repeat(60)}..." (100000 characters)`],
  ])('%s', (_name, state, allowed, expected) => {
    expect(unknownStateKeys(state, allowed)).toBe(expected);
  });
});
