#!/usr/bin/env node
'use strict';
/**
 * `npm run manifest [-- OUT.yaml]`: writes the self-contained manifest (default dist/manifest.yaml)
 * that Airbyte's tooling can load. The logic is connector/manifest/export.ts, compiled by
 * `npm run build` (the npm script builds first), so the export and the connector share one loader.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const compiled = path.join(root, 'dist', 'connector', 'manifest', 'export.js');

function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: node scripts/export-manifest.js [OUT.yaml]   (default dist/manifest.yaml)\n');
    return 0;
  }
  const unknown = args.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || args.length > 1) {
    process.stderr.write(`export-manifest: expected at most one output path, got ${args.join(' ')}\n`);
    return 2;
  }
  if (!fs.existsSync(compiled)) {
    process.stderr.write(`export-manifest: ${path.relative(root, compiled)} is missing: run \`npm run build\` first\n`);
    return 1;
  }
  const out = path.resolve(args[0] ?? path.join(root, 'dist', 'manifest.yaml'));
  require(compiled).writeExport(out);
  process.stderr.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`export-manifest: ${err.message}\n`);
  process.exitCode = 1;
}
