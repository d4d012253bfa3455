/**
 * The --state file: per-stream STATE messages (Airbyte's STREAM state), either as Airbyte hands
 * them over (one JSON list) or as `read` printed them (one STATE message per line, so a saved
 * stdout filtered to its STATE lines resumes as it is). LEGACY and GLOBAL state are refused.
 * Only the file's form is checked here; each stream checks its own stream_state (read.ts).
 */
import { ConfigError } from '../errors';
import { parseJsonText, readTextFile } from './config';
import { listOf, quote } from './quote';

/** One stream's saved state and where in the file it came from (for messages). */
export interface SavedState {
  state: Record<string, unknown>;
  /** `--state FILE [2]` or `--state FILE line 7`. */
  where: string;
}

/** stream name -> its saved state; when a stream has several, the last one (the newest) wins. */
export type StreamStates = Map<string, SavedState>;

interface Entry {
  value: unknown;
  where: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and parses the --state file in either form. */
export function readStateFile(file: string, streamNames: readonly string[]): StreamStates {
  return parseStateText(readTextFile(file, '--state'), file, streamNames);
}

/** Parses the text of a --state file: a JSON list, `{}`, or STATE lines. */
export function parseStateText(text: string, file: string, streamNames: readonly string[]): StreamStates {
  const lines = stateLines(text, file);
  if (lines) return statesOf(lines, file, streamNames);
  return parseState(parseJsonText(text, file, '--state'), file, streamNames);
}

/** The parsed JSON of a --state file in Airbyte's form: a list of state messages, or `{}` for none. */
export function parseState(value: unknown, file: string, streamNames: readonly string[]): StreamStates {
  if (isObject(value) && Object.keys(value).length === 0) return new Map();
  if (!Array.isArray(value)) {
    throw new ConfigError(`the --state file ${file} must be a list of STREAM state messages, as printed by read (found ${isObject(value) ? 'an object: LEGACY state is not supported' : typeof value})`);
  }
  return statesOf(
    value.map((entry, i) => ({ value: entry, where: `--state ${file} [${i}]` })),
    file,
    streamNames,
  );
}

/**
 * The entries of a file of STATE lines, or undefined when the file is not in that form. It is,
 * when it is one STATE message, or when its first line is a JSON object and the whole text is not
 * JSON (a list or `{}` spread over several lines stays Airbyte's form, with its own syntax errors).
 */
function stateLines(text: string, file: string): Entry[] | undefined {
  const lines = text.split('\n').map((line, i) => ({ text: line.trim(), number: i + 1 })).filter((l) => l.text !== '');
  if (lines.length === 0) return undefined;
  const first = tryParse(lines[0].text);
  if (!isObject(first)) return undefined;
  // One line: a message has a string `type`; a LEGACY state object is keyed by stream names instead.
  if (lines.length === 1 && typeof first.type !== 'string') return undefined;
  if (lines.length > 1 && tryParse(text) !== undefined) return undefined;
  return lines.map((line) => {
    const where = `--state ${file} line ${line.number}`;
    const value = tryParse(line.text);
    if (value === undefined) throw new ConfigError(`the --state file ${file} is not valid JSON (line ${line.number}): fix its syntax`);
    // A STATE message as read prints it, or the bare state message inside one.
    if (!isObject(value) || !STATE_TYPES.has(String(value.type))) {
      const what = isObject(value) && typeof value.type === 'string' ? `a ${quote(value.type)} message` : 'not an Airbyte message';
      throw new ConfigError(`${where} is ${what}, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages`);
    }
    return { value, where };
  });
}

const STATE_TYPES = new Set(['STATE', 'STREAM', 'GLOBAL', 'LEGACY']);

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function statesOf(entries: Entry[], file: string, streamNames: readonly string[]): StreamStates {
  const states: StreamStates = new Map();
  for (const { value: entry, where } of entries) {
    const state = isObject(entry) && isObject(entry.state) ? entry.state : entry;
    if (!isObject(state)) throw new ConfigError(`${where} must be a state message object`);
    if (state.type !== 'STREAM') {
      const type = typeof state.type === 'string' ? quote(state.type) : JSON.stringify(state.type ?? 'LEGACY').slice(0, 60);
      throw new ConfigError(`${where} has type ${type}; only STREAM state is supported: start from a state printed by this connector, or from none`);
    }
    const stream = state.stream;
    if (!isObject(stream) || !isObject(stream.stream_descriptor) || typeof stream.stream_descriptor.name !== 'string') {
      throw new ConfigError(`${where} needs stream.stream_descriptor.name`);
    }
    const name = stream.stream_descriptor.name;
    if (!streamNames.includes(name)) {
      throw new ConfigError(`${where} is for stream ${quote(name)}, which this source does not have (streams: ${listOf(streamNames)})`);
    }
    const blob = stream.stream_state ?? {};
    if (!isObject(blob)) throw new ConfigError(`${where}: stream_state of "${name}" must be an object`);
    states.set(name, { state: blob, where });
  }
  return states;
}
