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

test('streams read at once each have a line with total and time left; a finished one stays above the live ones', () => {
  let now = 0;
  const out: string[] = [];
  const progress = new Progress({ write: (t: string) => out.push(t) }, () => now);
  progress.start('account', 30000);
  progress.start('contact');
  now += 1000;
  progress.add(10000, 'account');
  progress.add(500, 'contact');
  now += 1000;
  progress.finish('done', 'contact');
  progress.add(10000, 'account');
  progress.finish('done', 'account');
  expect(out).toEqual([
    '\r\x1b[Kaccount: 0 of 30,000 records, 0/s, 0.0 s, ETA -',
    '\r\x1b[Kaccount: 0 of 30,000 records, 0/s, 0.0 s, ETA -\n\r\x1b[Kcontact: 0 records, 0/s, 0.0 s',
    '\x1b[1A\r\x1b[Kaccount: 10,000 of 30,000 records, 10,000/s, 1.0 s, ETA 2 s\n\r\x1b[Kcontact: 0 records, 0/s, 1.0 s',
    '\x1b[1A\r\x1b[Kcontact: 500 records, 250/s, 2.0 s done\n\r\x1b[Kaccount: 10,000 of 30,000 records, 5,000/s, 2.0 s, ETA 4 s\x1b[J',
    '\r\x1b[Kaccount: 20,000 of 30,000 records, 10,000/s, 2.0 s, ETA 1 s',
    ' done\n',
  ]);
});
