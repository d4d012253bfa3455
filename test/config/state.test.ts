import { parseState, parseStateText } from '../../connector/config/state';
import { ConfigError } from '../../connector/errors';

const STREAMS = ['organization', 'account'];
const stateMessage = (name: string, streamState: unknown) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } });
const line = (name: string, streamState: unknown) => JSON.stringify({ type: 'STATE', state: stateMessage(name, streamState) });
const flat = (text: string) => [...parseStateText(text, 'f.json', STREAMS)].map(([name, saved]) => [name, saved.state, saved.where]);

describe('parseStateText: the forms a --state file may take', () => {
  test.each<[string, string, unknown[]]>([
    ['an empty object: no state', '{}', []],
    ['a JSON list (Airbyte)', JSON.stringify([stateMessage('account', { modifiedon: 'x' })]), [['account', { modifiedon: 'x' }, '--state f.json [0]']]],
    ['a JSON list of wrapped STATE messages', JSON.stringify([{ type: 'STATE', state: stateMessage('account', { a: 1 }) }]), [['account', { a: 1 }, '--state f.json [0]']]],
    ['a pretty-printed JSON list', JSON.stringify([stateMessage('account', {})], null, 2), [['account', {}, '--state f.json [0]']]],
    ['one STATE line', `${line('account', { deltatoken: 't' })}\n`, [['account', { deltatoken: 't' }, '--state f.json line 1']]],
    ['one bare state message on one line', JSON.stringify(stateMessage('account', {})), [['account', {}, '--state f.json line 1']]],
    [
      'STATE lines: the last of a stream wins, blank lines and CRLF are fine',
      `${line('account', { deltatoken: 'old' })}\r\n\r\n${line('organization', {})}\r\n${line('account', { deltatoken: 'new' })}\r\n`,
      [
        ['account', { deltatoken: 'new' }, '--state f.json line 4'],
        ['organization', {}, '--state f.json line 3'],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(flat(text)).toEqual(expected);
  });

  test.each([
    ['a broken JSON list', '[{"type": "STREAM",', 'the --state file f.json is not valid JSON (line 1): fix its syntax'],
    ['a broken pretty-printed list', '[\n  {"type": "STREAM",\n', 'the --state file f.json is not valid JSON (line 3): fix its syntax'],
    ['a broken STATE line', `${line('account', {})}\n{"type":`, 'the --state file f.json is not valid JSON (line 2): fix its syntax'],
    ['a RECORD line among STATE lines', `${line('account', {})}\n{"type":"RECORD","record":{}}`, '--state f.json line 2 is a "RECORD" message, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages'],
    ['a lone RECORD line', '{"type":"RECORD","record":{}}', '--state f.json line 1 is a "RECORD" message, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages'],
    ['a line that is not a message', `${line('account', {})}\n[1]`, '--state f.json line 2 is not an Airbyte message, not a STATE message: keep only the STATE lines read printed, or give a JSON list of STATE messages'],
    ['a GLOBAL state line', `${line('account', {})}\n{"type":"STATE","state":{"type":"GLOBAL"}}`, '--state f.json line 2 has type "GLOBAL"; only STREAM state is supported: start from a state printed by this connector, or from none'],
    ['a LEGACY object', '{"account": {"modifiedon": "x"}}', 'the --state file f.json must be a list of STREAM state messages, as printed by read (found an object: LEGACY state is not supported)'],
    ['an unknown stream on a line', line('accounts', {}), '--state f.json line 1 is for stream "accounts", which this source does not have (streams: organization, account)'],
    ['a 100 KB stream name', JSON.stringify([stateMessage('x'.repeat(100_000), {})]), `--state f.json [0] is for stream "${'x'.repeat(60)}..." (100000 characters), which this source does not have (streams: organization, account)`],
    ['a 100 KB type', JSON.stringify([{ type: 'y'.repeat(100_000) }]), `--state f.json [0] has type "${'y'.repeat(60)}..." (100000 characters); only STREAM state is supported: start from a state printed by this connector, or from none`],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseStateText(text, 'f.json', STREAMS)).toThrow(new ConfigError(message));
  });
});

describe('parseState', () => {
  test('a number is neither form', () => {
    expect(() => parseState(3, 'f.json', STREAMS)).toThrow(new ConfigError('the --state file f.json must be a list of STREAM state messages, as printed by read (found number)'));
  });
});
