/** The --state file: a list of per-stream STATE messages (Airbyte's STREAM state). LEGACY is refused. */
import { ConfigError } from '../errors';

/** stream name -> stream_state blob */
export type StreamStates = Map<string, Record<string, unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseState(value: unknown, file: string, streamNames: readonly string[]): StreamStates {
  const states: StreamStates = new Map();
  if (isObject(value) && Object.keys(value).length === 0) return states;
  if (!Array.isArray(value)) {
    throw new ConfigError(`the --state file ${file} must be a list of STREAM state messages, as printed by read (found ${isObject(value) ? 'an object: LEGACY state is not supported' : typeof value})`);
  }
  value.forEach((entry, i) => {
    const where = `--state ${file} [${i}]`;
    const state = isObject(entry) && isObject(entry.state) ? entry.state : entry;
    if (!isObject(state)) throw new ConfigError(`${where} must be a state message object`);
    if (state.type !== 'STREAM') {
      throw new ConfigError(`${where} has type ${JSON.stringify(state.type ?? 'LEGACY')}; only STREAM state is supported: start from a state printed by this connector, or from none`);
    }
    const stream = state.stream;
    if (!isObject(stream) || !isObject(stream.stream_descriptor) || typeof stream.stream_descriptor.name !== 'string') {
      throw new ConfigError(`${where} needs stream.stream_descriptor.name`);
    }
    const name = stream.stream_descriptor.name;
    if (!streamNames.includes(name)) {
      throw new ConfigError(`${where} is for stream "${name}", which this source does not have (streams: ${streamNames.join(', ')})`);
    }
    const blob = stream.stream_state ?? {};
    if (!isObject(blob)) throw new ConfigError(`${where}: stream_state of "${name}" must be an object`);
    states.set(name, blob);
  });
  return states;
}
