/** Loads connector/manifest.yaml once and builds the source for a config. */
import * as fs from 'node:fs';
import type { Config } from '../config/config';
import { MANIFEST_PATH } from '../paths';
import { ComponentFactory, createSource, type DeclarativeSource, type FactoryDeps } from './factory';
import { loadManifest, type ResolvedManifest } from './loader';
import { ManifestNode } from './node';

let cached: ResolvedManifest | undefined;

export function resolvedManifest(): ResolvedManifest {
  if (!cached) cached = loadManifest(fs.readFileSync(MANIFEST_PATH, 'utf8'), { sourceName: 'connector/manifest.yaml' });
  return cached;
}

export function buildSource(deps: FactoryDeps): DeclarativeSource {
  return createSource(resolvedManifest().root, deps);
}

/** What a config preparation step may use: the manifest's custom definitions and its own stream names. */
export interface SourcePreparation {
  config: Config;
  /** Names of the manifest's `streams` (not the dynamic ones). */
  streamNames: string[];
  /** The custom component defined at `definitions.<name>`, built by the factory that then builds the source. */
  definition(name: string): unknown;
}

/** A source and the config it was built for (after preparation). */
export interface PreparedSource {
  source: DeclarativeSource;
  config: Config;
}

/**
 * Builds the source after `prepare` has rewritten the config (e.g. expanded a list the dynamic
 * streams come from). Both use one factory, so what a shared component caches on the way (a
 * token, listed metadata) serves the source too.
 */
export async function buildPreparedSource(deps: FactoryDeps, prepare: (preparation: SourcePreparation) => Promise<Config>): Promise<PreparedSource> {
  const root = resolvedManifest().root;
  const factoryDeps: FactoryDeps = { ...deps };
  const factory = new ComponentFactory(factoryDeps);
  const definitions = (root.definitions ?? {}) as Record<string, unknown>;
  const streams = Array.isArray(root.streams) ? (root.streams as Array<{ name?: unknown }>) : [];
  factoryDeps.config = await prepare({
    config: deps.config,
    streamNames: streams.map((s) => s.name).filter((n): n is string => typeof n === 'string'),
    definition: (name) => {
      if (!(name in definitions)) throw new Error(`the manifest has no definitions.${name}`);
      return factory.custom(new ManifestNode(definitions[name], `definitions.${name}`));
    },
  });
  return { source: factory.create<DeclarativeSource>(new ManifestNode(root, ''), 'DeclarativeSource'), config: factoryDeps.config };
}
