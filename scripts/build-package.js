#!/usr/bin/env node
/**
 * Builds what the npm package ships: dist/connector from connector/ only (tsconfig.build.json),
 * from a clean folder so no file of an older build ships. Run by `prepack` (npm pack, npm publish)
 * and by `prepare` (git installs, `npm install` in a clone). npm pack runs both hooks; with
 * `--skip-when-packing` the prepare run leaves the work to prepack instead of compiling twice.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (process.argv.includes('--skip-when-packing') && ['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);
fs.rmSync(path.join(root, 'dist', 'connector'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
