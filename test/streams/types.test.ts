/** isTrue: how a rendered condition (stop_condition, AddFields.condition) is read. */
import { isTrue } from '../../connector/streams/types';

describe('isTrue', () => {
  test.each<[unknown, boolean]>([
    [true, true],
    ['True', true],
    ['true', true],
    ['yes', true],
    [1, true],
    [{}, true],
    [[0], true],
    [false, false],
    ['False', false],
    ['false', false],
    ['', false],
    [0, false],
    [null, false],
    [undefined, false],
    [[], false],
    [Number.NaN, false],
  ])('%p is %p', (value, expected) => {
    expect(isTrue(value)).toBe(expected);
  });
});
