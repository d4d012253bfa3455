/** Where the package's own files (spec.yaml, schemas/, connector/manifest.yaml) are, from source or from dist/. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'spec.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the source-dataverse package root above ${start}`);
    dir = parent;
  }
}

/** The package root: the folder holding package.json and spec.yaml. */
export const PACKAGE_ROOT = findRoot(__dirname);
export const SPEC_PATH = path.join(PACKAGE_ROOT, 'spec.yaml');
/** The shipped manifest. */
export const SHIPPED_MANIFEST_PATH = path.join(PACKAGE_ROOT, 'connector', 'manifest.yaml');
/**
 * The manifest the CLI builds (and `npm run manifest` exports): the shipped one, unless
 * SOURCE_DATAVERSE_MANIFEST names another file. That variable is for tests and debugging only
 * (an end-to-end test runs the built CLI on an edited manifest); it is not a customer setting.
 * Relative file paths inside the manifest (schemas/...) still resolve from the package root.
 */
export const MANIFEST_PATH = process.env.SOURCE_DATAVERSE_MANIFEST ? path.resolve(process.env.SOURCE_DATAVERSE_MANIFEST) : SHIPPED_MANIFEST_PATH;
