/** The large-rows section's page-size summary: the sizes tried, then the one the walk settled on, with its count. */
import { sizesText } from '../../bench/large-rows';

test.each<[number[], string]>([
  [[5000, 1250, 312, 78, 19, 19, 19], '5000, 1250, 312, 78, then 19 (x3)'],
  [[5000, 5000, 5000], '5000 (x3)'],
  [[5000, 1250], '5000, then 1250 (x1)'],
  [[], '-'],
])('%j reads %s', (sizes, text) => {
  expect(sizesText(sizes)).toBe(text);
});
