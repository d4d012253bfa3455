import { Progress } from '../../connector/commands/progress';

test('progress redraws one line per stream, at most every 200 ms, and ends it with the outcome', () => {
  let now = 1000;
  const out: string[] = [];
  const progress = new Progress({ write: (t: string) => out.push(t) }, () => now);
  progress.start('account');
  now += 100;
  progress.add(5000);
  now += 150;
  progress.add(5000);
  now += 750;
  progress.finish('done');
  progress.finish('done');
  expect(out).toEqual([
    '\r\x1b[Kaccount: 0 records, 0/s, 0.0 s',
    '\r\x1b[Kaccount: 10,000 records, 40,000/s, 0.3 s',
    '\r\x1b[Kaccount: 10,000 records, 10,000/s, 1.0 s',
    ' done\n',
  ]);
});
