/** Reads --config, validates it and builds the source: the first step of check, discover and read. */
import { parseConfig, readJsonFile, type Config } from '../config/config';
import { ConfigError } from '../errors';
import type { DeclarativeSource } from '../manifest/factory';
import { buildSource } from '../manifest/source';
import type { CommandArgs, CommandDeps } from './deps';

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

export function sourceFor(config: Config, deps: CommandDeps): DeclarativeSource {
  return buildSource({ config, http: { ...deps.http, timeoutMs: config.request_timeout_seconds * 1000 }, redactor: deps.redactor });
}
