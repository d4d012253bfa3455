/** Command-line parsing and help texts. Unknown commands and flags are errors, never ignored. */
import { ConfigError } from './errors';

export type CommandName = 'spec' | 'check' | 'discover' | 'read';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevelName[] = ['debug', 'info', 'warn', 'error'];

export interface ParsedArgs {
  command?: CommandName;
  help: boolean;
  /** `--version`: print the package version and stop. */
  version?: boolean;
  flags: { config?: string; catalog?: string; state?: string };
  /** LOG messages below this level are not printed (default info). */
  logLevel: LogLevelName;
}

interface CommandSpec {
  summary: string;
  required: Array<keyof ParsedArgs['flags']>;
  optional: Array<keyof ParsedArgs['flags']>;
}

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  spec: { summary: 'print the connector specification (the config fields) as a SPEC message', required: [], optional: [] },
  check: { summary: 'test the config: token from Entra ID, WhoAmI, one organization record', required: ['config'], optional: [] },
  discover: { summary: 'print the catalog: every stream with its schema, sync modes and keys', required: ['config'], optional: [] },
  read: { summary: 'read the streams of a configured catalog, resuming from a state file', required: ['config', 'catalog'], optional: ['state'] },
};

const FLAG_HELP: Record<keyof ParsedArgs['flags'], string> = {
  config: '--config CONFIG.json          connector config (org_url, tenant_id, client_id, client_secret, ...)',
  catalog: '--catalog CATALOG.json        configured catalog: the streams to read and their sync modes',
  state: '--state STATE.json            state printed by an earlier read (a list of STREAM states)',
};

export function usage(): string {
  const lines = [
    'source-dataverse: Airbyte source for Microsoft Dynamics 365 / Dataverse',
    '',
    'Usage:',
    '  source-dataverse spec',
    '  source-dataverse check    --config CONFIG.json',
    '  source-dataverse discover --config CONFIG.json',
    '  source-dataverse read     --config CONFIG.json --catalog CATALOG.json [--state STATE.json]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`),
    '',
    'Options of every command:',
    '  --log-level LEVEL   debug, info (default), warn or error: the least important LOG message printed',
    '  --help              help for the command',
    '',
    '  source-dataverse --version   print the version',
    '',
    'Output: Airbyte protocol messages on stdout, one JSON object per line; human notes on stderr.',
    'Run `source-dataverse COMMAND --help` for one command. Setup guide: README.md.',
  ];
  return lines.join('\n') + '\n';
}

export function commandUsage(name: CommandName): string {
  const c = COMMANDS[name];
  const flags = [...c.required.map((f) => `--${f} ${f.toUpperCase()}.json`), ...c.optional.map((f) => `[--${f} ${f.toUpperCase()}.json]`)];
  const lines = [`Usage: source-dataverse ${name}${flags.length ? ' ' + flags.join(' ') : ''}`, '', `  ${c.summary}`];
  const all = [...c.required, ...c.optional];
  if (all.length) lines.push('', 'Options:', ...all.map((f) => `  ${FLAG_HELP[f]}${c.optional.includes(f) ? ' (optional)' : ''}`));
  if (!all.length) lines.push('', 'Options:');
  lines.push('  --log-level LEVEL             debug, info (default), warn or error');
  lines.push('  --help                        show this help');
  return lines.join('\n') + '\n';
}

/** Parses argv (without node and script). Throws ConfigError naming the bad argument. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { help: false, flags: {}, logLevel: 'info' };
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { ...parsed, help: true };
  if (first === '--version' || first === '-V') {
    if (rest.length > 0) throw new ConfigError(`--version takes no arguments (found "${rest[0]}")`);
    return { ...parsed, version: true };
  }
  let levelGiven = false;
  if (!(first in COMMANDS)) throw new ConfigError(`unknown command "${first}"; use one of: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  const command = first as CommandName;
  parsed.command = command;
  const spec = COMMANDS[command];
  const allowed = new Set<string>([...spec.required, ...spec.optional]);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--help' || arg === '-h') {
      parsed.help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ConfigError(`unexpected argument "${arg}" for ${command}; see source-dataverse ${command} --help`);
    const [, name, inline] = match;
    if (name === 'log-level') {
      const level = inline ?? rest[++i];
      if (!LOG_LEVELS.includes(level as LogLevelName)) throw new ConfigError(`option --log-level needs one of ${LOG_LEVELS.join(', ')} (found ${level === undefined ? 'nothing' : `"${level}"`})`);
      if (levelGiven) throw new ConfigError('option --log-level is given twice');
      levelGiven = true;
      parsed.logLevel = level as LogLevelName;
      continue;
    }
    if (!allowed.has(name)) throw new ConfigError(`unknown option --${name} for ${command}; see source-dataverse ${command} --help`);
    const value = inline ?? rest[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new ConfigError(`option --${name} needs a file path`);
    }
    const key = name as keyof ParsedArgs['flags'];
    if (parsed.flags[key] !== undefined) throw new ConfigError(`option --${name} is given twice`);
    parsed.flags[key] = value;
  }
  if (!parsed.help) {
    for (const flag of spec.required) {
      if (parsed.flags[flag] === undefined) throw new ConfigError(`${command} needs --${flag} ${flag.toUpperCase()}.json; see source-dataverse ${command} --help`);
    }
  }
  return parsed;
}
