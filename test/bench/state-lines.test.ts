import { stateLineCollector } from '../../bench/lib/measure';

describe('stateLineCollector', () => {
  const text = [
    '{"type":"RECORD","record":{"stream":"a","data":{"type":"STATE"}}}',
    '{"type":"STATE","state":{"sourceStats":{"recordCount":2}}}',
    '{"type":"RECORD","record":{"stream":"a","data":{}}}',
    '{"type":"STATE","state":{"sourceStats":{"recordCount":1}}}',
    '',
  ].join('\n');

  test.each([1, 2, 3, 7, 15, 16, 64, text.length])('every STATE line once, whole, with chunks of %i bytes', (size) => {
    const lines: string[] = [];
    const feed = stateLineCollector((line) => lines.push(line));
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += size) feed(bytes.subarray(at, at + size));
    expect(lines.map((l) => JSON.parse(l).state.sourceStats.recordCount)).toEqual([2, 1]);
  });
});
