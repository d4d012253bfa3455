import { barChart } from '../../bench/lib/svg-chart';

test('bars are scaled to the largest value, labelled and escaped', () => {
  const svg = barChart('Peak RSS <lower>', [
    { label: 'ceiling, 100 rows', value: 200, series: 0 },
    { label: 'connector, 100 rows', value: 100, series: 1 },
  ], (v) => `${v} MB`);
  expect([...svg.matchAll(/<rect x="240" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([380, 190]);
  expect(svg).toContain('Peak RSS &lt;lower&gt;');
  expect(svg).toContain('>100 MB</text>');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
});
