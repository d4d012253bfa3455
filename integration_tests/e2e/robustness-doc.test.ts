import * as fs from 'node:fs';
import { renderRobustnessDoc, ROBUSTNESS_DOC } from './robustness-doc';

test('docs/robustness.md is generated from the current case lists (npm run docs:robustness)', () => {
  expect(fs.readFileSync(ROBUSTNESS_DOC, 'utf8')).toBe(renderRobustnessDoc());
});
