/** The configured catalog given to `read`: which streams, in which sync mode. Wrong input names the fix. */
import { ConfigError } from '../errors';
import { cut, kindOf, listOf, quote } from './quote';

export interface ConfiguredStream {
  name: string;
  syncMode: 'full_refresh' | 'incremental';
  cursorField?: string[];
  /** Where in the catalog file the stream is, for messages: `--catalog FILE streams[2]`. */
  where: string;
  /**
   * The properties of the catalog's `json_schema`, when it lists any: the columns to read and
   * write (the source adds the key and the cursor). Absent: every property of the stream.
   */
  selectedFields?: string[];
}

export interface StreamCapabilities {
  name: string;
  supportedSyncModes: readonly string[];
  /** The source-defined cursor; a catalog may not choose another. */
  cursorField: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed catalog against the source's streams. */
export function parseCatalog(value: unknown, file: string, available: readonly StreamCapabilities[]): ConfiguredStream[] {
  if (!isObject(value) || !Array.isArray(value.streams)) {
    throw new ConfigError(`the --catalog file ${file} must be a configured catalog: an object with a "streams" list (see integration_tests/configured_catalog.json)`);
  }
  const names = available.map((s) => s.name);
  const seen = new Set<string>();
  return value.streams.map((entry, i) => {
    const where = `--catalog ${file} streams[${i}]`;
    if (!isObject(entry) || !isObject(entry.stream) || typeof entry.stream.name !== 'string') {
      throw new ConfigError(`${where} must hold {"stream": {"name": ...}, "sync_mode": ..., "destination_sync_mode": ...}`);
    }
    const name = entry.stream.name;
    const stream = available.find((s) => s.name === name);
    if (!stream) {
      throw new ConfigError(`${where}: stream ${quote(name)} does not exist in this source (streams: ${listOf(names)}); run discover for the current catalog`);
    }
    if (seen.has(name)) throw new ConfigError(`${where}: stream "${name}" is listed twice`);
    seen.add(name);
    // The source writes records by its own schema, but a schema that is not one means the catalog was not made by discover.
    if (entry.stream.json_schema !== undefined && !isObject(entry.stream.json_schema)) {
      throw new ConfigError(`${where}: stream.json_schema of "${name}" must be a JSON schema object, as discover printed it (found ${kindOf(entry.stream.json_schema)})`);
    }
    const syncMode = entry.sync_mode ?? 'full_refresh';
    if (syncMode !== 'full_refresh' && syncMode !== 'incremental') {
      throw new ConfigError(`${where}: sync_mode ${quote(String(syncMode))} is invalid; use full_refresh or incremental`);
    }
    if (!stream.supportedSyncModes.includes(syncMode)) {
      throw new ConfigError(`${where}: stream "${name}" does not support ${syncMode} (supported: ${stream.supportedSyncModes.join(', ')})`);
    }
    if (entry.cursor_field !== undefined && (!Array.isArray(entry.cursor_field) || !entry.cursor_field.every((f) => typeof f === 'string'))) {
      throw new ConfigError(`${where}: cursor_field must be a list of field names, e.g. ["modifiedon"]`);
    }
    const cursorField = Array.isArray(entry.cursor_field) ? (entry.cursor_field as string[]) : undefined;
    const selectedFields = selectionOf(entry.stream.json_schema, where, name);
    if (syncMode === 'incremental' && cursorField && cursorField.length > 0 && cursorField.join('.') !== stream.cursorField.join('.')) {
      const given = JSON.stringify(cursorField);
      throw new ConfigError(
        `${where}: stream "${name}" has the source-defined cursor ${JSON.stringify(stream.cursorField)}; cursor_field ${cut(given)} cannot be used (remove it or set it to ${JSON.stringify(stream.cursorField)})`,
      );
    }
    return { name, syncMode, cursorField, where, ...(selectedFields ? { selectedFields } : {}) };
  });
}

/** The property names a catalog's json_schema lists; none (`{}`, no `properties`, an empty one) means all. */
function selectionOf(schema: unknown, where: string, name: string): string[] | undefined {
  if (!isObject(schema) || schema.properties === undefined) return undefined;
  if (!isObject(schema.properties)) {
    throw new ConfigError(`${where}: stream.json_schema.properties of "${name}" must be an object of property schemas, as discover printed it (found ${kindOf(schema.properties)})`);
  }
  const names = Object.keys(schema.properties);
  return names.length > 0 ? names : undefined;
}

/**
 * Refuses a selected property the stream does not have (a column dropped since discover, a typo):
 * reading on without it would silently write less than the catalog asks for.
 */
export function checkSelection(entry: ConfiguredStream, properties: readonly string[]): void {
  if (!entry.selectedFields) return;
  const known = new Set(properties);
  const unknown = entry.selectedFields.filter((f) => !known.has(f));
  if (unknown.length === 0) return;
  const named = unknown.slice(0, 5).map((f) => quote(f)).join(', ');
  const more = unknown.length > 5 ? ` and ${unknown.length - 5} more` : '';
  throw new ConfigError(
    `${entry.where}: stream "${entry.name}" has no ${unknown.length === 1 ? 'property' : 'properties'} ${named}${more} (json_schema.properties); run discover for the stream's current properties and select among them`,
  );
}
