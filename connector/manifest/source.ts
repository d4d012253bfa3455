/** Loads connector/manifest.yaml once and builds the source for a config. */
import * as fs from 'node:fs';
import { MANIFEST_PATH } from '../paths';
import { createSource, type DeclarativeSource, type FactoryDeps } from './factory';
import { loadManifest, type ResolvedManifest } from './loader';

let cached: ResolvedManifest | undefined;

export function resolvedManifest(): ResolvedManifest {
  if (!cached) cached = loadManifest(fs.readFileSync(MANIFEST_PATH, 'utf8'), { sourceName: 'connector/manifest.yaml' });
  return cached;
}

export function buildSource(deps: FactoryDeps): DeclarativeSource {
  return createSource(resolvedManifest().root, deps);
}
