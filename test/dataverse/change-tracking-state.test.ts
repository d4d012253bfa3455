import { checkChangeTrackingState, deltaTokenProblem } from '../../connector/dataverse/change-tracking-state';
import { ConfigError } from '../../connector/errors';
import { ODATA_CURSOR_QUERY } from '../../connector/dataverse/odata-cursor';
import { DatetimeCursor } from '../../connector/streams/datetime-cursor';

const TOKEN = '919042!08/22/2017 08:10:44';
const ACCOUNTS = 'https://contoso.crm4.dynamics.com/api/data/v9.2/accounts';

describe('deltaTokenProblem', () => {
  test.each<[string, unknown, string | undefined]>([
    ['a Dataverse token (its one inner space is part of it)', TOKEN, undefined],
    ['an opaque token', 'abc123', undefined],
    ['1,024 characters', 't'.repeat(1024), undefined],
    ['empty', '', 'is empty'],
    ['1,025 characters', 't'.repeat(1025), 'is 1025 characters long, more than the 1024 a delta token can be'],
    ['a line break', `${TOKEN}\n`, '"919042!08/22/2017 08:10:44\\n" holds line breaks, tabs or spaces at its ends'],
    ['a tab inside', 'a\tb', '"a\\tb" holds line breaks, tabs or spaces at its ends'],
    ['a leading space', ' abc', '" abc" holds line breaks, tabs or spaces at its ends'],
    ['a control character', 'a\u0000b', '"a\\u0000b" holds line breaks, tabs or spaces at its ends'],
    ['a non-breaking space', 'a\u00a0b', '"a\u00a0b" holds line breaks, tabs or spaces at its ends'],
    ['a number', 919042, 'is a number, not a string'],
    ['null', null, 'is null, not a string'],
  ])('%s', (_name, value, expected) => {
    expect(deltaTokenProblem(value)).toBe(expected);
  });
});

describe('checkChangeTrackingState', () => {
  const cursor = new DatetimeCursor('modifiedon', '1900-01-01T00:00:00Z', ODATA_CURSOR_QUERY);
  const check = async (state: Record<string, unknown>) => {
    let asked = 0;
    await checkChangeTrackingState(state, cursor, async () => {
      asked++;
      return [ACCOUNTS];
    });
    return asked;
  };

  test.each<[string, Record<string, unknown>, number]>([
    ['no state', {}, 0],
    ['a delta token', { deltatoken: TOKEN }, 0],
    ['a delta token and a next page link', { deltatoken: TOKEN, resume_link: `${ACCOUNTS}?$select=name&$skiptoken=abc` }, 1],
    ['a next page link of the initial sync', { resume_link: `${ACCOUNTS}?$skiptoken=abc` }, 1],
    ['a link read at a smaller page size (large rows)', { resume_link: `${ACCOUNTS}?$skiptoken=abc`, page_size: 50 }, 1],
    ['a link in another case (Dataverse treats paths alike)', { resume_link: 'https://contoso.crm4.dynamics.com/api/data/v9.2/Accounts?$skiptoken=1' }, 1],
    ['the datetime cursor', { modifiedon: '2024-01-01T00:00:00Z' }, 0],
    ['platform keys', { deltatoken: TOKEN, __ab_no_cursor_state_message: true }, 0],
  ])('accepts %s (metadata asked %i times)', async (_name, state, asked) => {
    expect(await check(state)).toBe(asked);
  });

  const restart = ': start from a state printed by this connector';
  test.each<[string, Record<string, unknown>, string]>([
    ['an unknown key', { deltatoken: TOKEN, skiptoken: 'x' }, 'stream_state holds "skiptoken", which this stream never writes (it keeps deltatoken, resume_link and page_size, or modifiedon)'],
    ['both kinds', { resume_link: `${ACCOUNTS}?$skiptoken=1`, modifiedon: '2024-01-01T00:00:00Z' }, 'stream_state holds both resume_link (change tracking) and modifiedon (the datetime cursor); a state holds one or the other'],
    ['an empty delta token', { deltatoken: '' }, 'deltatoken is empty'],
    ['a broken cursor', { modifiedon: '2024-01-01' }, 'modifiedon "2024-01-01" is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z'],
    ['a page size without a link', { deltatoken: TOKEN, page_size: 50 }, 'stream_state holds page_size without resume_link'],
    ['a page size of 0', { resume_link: `${ACCOUNTS}?$skiptoken=1`, page_size: 0 }, 'page_size is 0, not a page size from 1 to 5000'],
    ['a page size as text', { resume_link: `${ACCOUNTS}?$skiptoken=1`, page_size: '50' }, 'page_size is a string, not a page size from 1 to 5000'],
    ['a link that is not a string', { resume_link: ['x'] }, 'resume_link is a list, not a link'],
    ['a link of 10,000 characters', { resume_link: `${ACCOUNTS}?$skiptoken=${'s'.repeat(10_000)}` }, 'resume_link is 10068 characters long, longer than any page link Dataverse hands out'],
    ['a relative link', { resume_link: 'accounts?$skiptoken=1' }, 'resume_link is not an absolute URL'],
    ['a link to another host', { resume_link: 'https://evil.example.com/api/data/v9.2/accounts' }, 'resume_link points at https://evil.example.com, which is not the org host https://contoso.crm4.dynamics.com'],
    ['a link to another entity set', { resume_link: 'https://contoso.crm4.dynamics.com/api/data/v9.2/contacts?$skiptoken=1' }, 'resume_link points at /api/data/v9.2/contacts, not at /api/data/v9.2/accounts where the read started'],
  ])('refuses %s', async (_name, state, message) => {
    await expect(check(state)).rejects.toThrow(new ConfigError(message + restart));
  });
});
