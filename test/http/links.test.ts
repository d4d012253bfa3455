/** linkProblem: a link is followed only on the org host and, by default, on the resource the read started on. */
import { linkProblem } from '../../connector/http/links';

const START = 'https://org.crm4.dynamics.com/api/data/v9.2/accounts?$select=name';

describe('linkProblem', () => {
  test.each<[string, string]>([
    ['another query string', 'https://org.crm4.dynamics.com/api/data/v9.2/accounts?$skiptoken=%3Ccookie%3E'],
    ['another case of the entity set', 'https://org.crm4.dynamics.com/api/data/v9.2/Accounts?$skiptoken=1'],
    ['a trailing slash', 'https://org.crm4.dynamics.com/api/data/v9.2/accounts/?$deltatoken=9'],
    ['a percent-encoded path', 'https://org.crm4.dynamics.com/api/data/v9.2/%61ccounts'],
    ['an upper-case host', 'https://ORG.crm4.dynamics.com/api/data/v9.2/accounts'],
  ])('accepts %s', (_name, link) => {
    expect(linkProblem(link, START)).toBeUndefined();
  });

  test.each<[string, string, string]>([
    ['a relative link', '/api/data/v9.2/accounts?$skiptoken=1', 'is not an absolute URL'],
    ['another host', 'https://evil.example/api/data/v9.2/accounts', 'points at https://evil.example, which is not the org host https://org.crm4.dynamics.com'],
    ['another port', 'https://org.crm4.dynamics.com:8443/api/data/v9.2/accounts', 'points at https://org.crm4.dynamics.com:8443, which is not the org host https://org.crm4.dynamics.com'],
    ['plain http', 'http://org.crm4.dynamics.com/api/data/v9.2/accounts', 'points at http://org.crm4.dynamics.com, which is not the org host https://org.crm4.dynamics.com'],
    ['another entity set', 'https://org.crm4.dynamics.com/api/data/v9.2/contacts?$skiptoken=1', 'points at /api/data/v9.2/contacts, not at /api/data/v9.2/accounts where the read started'],
    ['an undecodable path, compared as sent', 'https://org.crm4.dynamics.com/api/data/v9.2/accounts%E0%A4%A', 'points at /api/data/v9.2/accounts%E0%A4%A, not at /api/data/v9.2/accounts where the read started'],
  ])('refuses %s', (_name, link, problem) => {
    expect(linkProblem(link, START)).toBe(problem);
  });

  test('a long foreign path is cut to 120 characters', () => {
    const path = `/api/data/v9.2/${'x'.repeat(200)}`;
    expect(linkProblem(`https://org.crm4.dynamics.com${path}`, START)).toBe(`points at ${path.slice(0, 117)}..., not at /api/data/v9.2/accounts where the read started`);
  });

  test("scope 'host' checks the host only", () => {
    expect(linkProblem('https://org.crm4.dynamics.com/api/data/v9.2/$batch', START, 'host')).toBeUndefined();
    expect(linkProblem('https://evil.example/api/data/v9.2/accounts', START, 'host')).toBe('points at https://evil.example, which is not the org host https://org.crm4.dynamics.com');
  });
});
