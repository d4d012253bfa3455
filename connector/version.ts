/** The connector's version: package.json's, the one source that the image labels and metadata.yaml repeat. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from './paths';

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error(`package.json at ${PACKAGE_ROOT} has no version`);
  return pkg.version;
}
