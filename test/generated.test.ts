import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('connector/generated/ is what `npm run generate` makes from spec.yaml and schemas/', () => {
  const result = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'generate-types.js'), '--check'], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});
