/** Reads --config, validates it and builds the source: the first step of check, discover and read. */
import { parseConfig, readJsonFile, type Config } from '../config/config';
import { DATAVERSE_EXTENSIONS } from '../dataverse/components';
import type { EntityMetadataProvider } from '../dataverse/entity-metadata';
import { isPattern } from '../dataverse/entity-patterns';
import { ConfigError } from '../errors';
import { resolveDynamicStreams } from '../manifest/dynamic-streams';
import { buildPreparedSource, resolvedManifest, type PreparedSource, type SourcePreparation } from '../manifest/source';
import { ManifestNode } from '../manifest/node';
import type { CommandArgs, CommandDeps } from './deps';
import { withSteadyNewSpace } from './memory';

/** Reads the --config file as JSON; a missing or unparsable file is a usage error (TRACE), not a failed check. */
export function readConfigFile(args: CommandArgs, deps: CommandDeps): unknown {
  if (!args.config) throw new ConfigError('missing --config CONFIG.json');
  const raw = readJsonFile(args.config, '--config');
  // Register the secret before validation can fail, so not even an echo of the config can leak it.
  if (raw && typeof raw === 'object') deps.redactor.add((raw as Record<string, unknown>).client_secret);
  return raw;
}

export function readConfig(args: CommandArgs, deps: CommandDeps): Config {
  return parseConfig(readConfigFile(args, deps));
}

/**
 * The source for a config, and the config it was built for: `entities` patterns (`*`,
 * `msdyn_*`) replaced by the tables they match. A config without patterns costs no request here.
 * Dataverse's components, error wording and cursor query are injected into the generic engine here.
 */
export function sourceFor(config: Config, deps: CommandDeps): Promise<PreparedSource> {
  deps.http.gate?.setMaxParallelRequests(config.max_parallel_requests);
  return withSteadyNewSpace(() => buildPreparedSource({ config, http: { ...deps.http, timeoutMs: config.request_timeout_seconds * 1000 }, redactor: deps.redactor, extensions: DATAVERSE_EXTENSIONS }, expandEntityPatterns));
}

async function expandEntityPatterns({ config, streamNames, definition }: SourcePreparation): Promise<Config> {
  const items = config.entities ?? [];
  if (!items.some(isPattern)) return config;
  // The items as written are checked first (an item twice, a name of this source's own stream),
  // so those messages name the item where the config has it, before any request.
  resolveDynamicStreams(new ManifestNode(resolvedManifest().root, ''), config as unknown as Record<string, unknown>);
  const metadata = definition('entity_metadata') as EntityMetadataProvider;
  const reserved = new Set(streamNames.map((n) => n.toLowerCase()));
  const entities = await metadata.expandPatterns({ config, parameters: {} }, items, reserved);
  return { ...config, entities };
}
