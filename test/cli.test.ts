import { parseArgs } from '../connector/cli';

describe('parseArgs', () => {
  test.each([
    ['spec', ['spec'], { command: 'spec', help: false, flags: {}, logLevel: 'info' }],
    ['read with state', ['read', '--config', 'c.json', '--catalog=k.json', '--state', 's.json'], { command: 'read', help: false, flags: { config: 'c.json', catalog: 'k.json', state: 's.json' }, logLevel: 'info' }],
    ['help on a command', ['check', '--help'], { command: 'check', help: true, flags: {}, logLevel: 'info' }],
    ['no args is help', [], { help: true, flags: {}, logLevel: 'info' }],
    ['log level', ['discover', '--log-level', 'warn', '--config', 'c.json'], { command: 'discover', help: false, flags: { config: 'c.json' }, logLevel: 'warn' }],
    ['version', ['--version'], { help: false, version: true, flags: {}, logLevel: 'info' }],
    ['version, short', ['-V'], { help: false, version: true, flags: {}, logLevel: 'info' }],
  ])('%s', (_name, argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  test.each([
    ['unknown command', ['sync'], 'unknown command "sync"; use one of: spec, check, discover, read (see --help)'],
    ['unknown flag', ['check', '--config', 'c', '--verbose'], 'unknown option --verbose for check; see source-dataverse check --help'],
    ['flag of another command', ['check', '--config', 'c', '--catalog', 'k'], 'unknown option --catalog for check; see source-dataverse check --help'],
    ['missing value', ['check', '--config'], 'option --config needs a file path'],
    ['missing required', ['read', '--config', 'c'], 'read needs --catalog CATALOG.json; see source-dataverse read --help'],
    ['positional', ['discover', 'c.json'], 'unexpected argument "c.json" for discover; see source-dataverse discover --help'],
    ['twice', ['check', '--config', 'a', '--config', 'b'], 'option --config is given twice'],
    ['version with arguments', ['--version', 'spec'], '--version takes no arguments (found "spec")'],
    ['bad log level', ['spec', '--log-level', 'loud'], 'option --log-level needs one of debug, info, warn, error (found "loud")'],
  ])('rejects %s', (_name, argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
