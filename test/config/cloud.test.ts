import * as fs from 'node:fs';
import * as path from 'node:path';
import { PUBLIC_AUTHORITY_HOST, SOVEREIGN_CLOUDS, authorityHostFor } from '../../connector/config/cloud';
import { parseConfig } from '../../connector/config/config';

const good = {
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'very-secret-value-123',
};

describe('authorityHostFor', () => {
  test.each([
    ['public NAM', 'https://contoso.crm.dynamics.com', 'https://login.microsoftonline.com'],
    ['public EUR', 'https://contoso.crm4.dynamics.com', 'https://login.microsoftonline.com'],
    ['GCC uses public Entra', 'https://contoso.crm9.dynamics.com', 'https://login.microsoftonline.com'],
    ['Web API host', 'https://contoso.api.crm4.dynamics.com', 'https://login.microsoftonline.com'],
    ['GCC High', 'https://contoso.crm.microsoftdynamics.us', 'https://login.microsoftonline.us'],
    ['GCC High, upper case', 'https://CONTOSO.CRM.MICROSOFTDYNAMICS.US', 'https://login.microsoftonline.us'],
    ['DoD', 'https://contoso.crm.appsplatform.us', 'https://login.microsoftonline.us'],
    ['China', 'https://contoso.crm.dynamics.cn', 'https://login.chinacloudapi.cn'],
    ['lookalike is public', 'https://contoso.dynamics.cn.example.com', 'https://login.microsoftonline.com'],
    ['suffix must be a whole label', 'https://contosodynamics.cn.example.org', 'https://login.microsoftonline.com'],
    ['loopback emulator', 'https://127.0.0.1:8443', 'https://login.microsoftonline.com'],
    ['not a URL', 'contoso', 'https://login.microsoftonline.com'],
  ])('%s: %s -> %s', (_name, orgUrl, expected) => {
    expect(authorityHostFor(orgUrl)).toBe(expected);
  });

  test('the public host is the fallback', () => {
    expect(PUBLIC_AUTHORITY_HOST).toBe('https://login.microsoftonline.com');
  });
});

describe('parseConfig derives authority_host when it is absent', () => {
  test.each([
    ['https://contoso.crm.microsoftdynamics.us', 'https://login.microsoftonline.us'],
    ['https://contoso.crm.dynamics.cn/', 'https://login.chinacloudapi.cn'],
    ['https://contoso.crm4.dynamics.com', 'https://login.microsoftonline.com'],
  ])('%s -> %s', (orgUrl, expected) => {
    expect(parseConfig({ ...good, org_url: orgUrl }).authority_host).toBe(expected);
  });

  test('a given authority_host wins over the derivation', () => {
    expect(parseConfig({ ...good, org_url: 'https://contoso.crm.dynamics.cn', authority_host: 'https://login.partner.microsoftonline.cn/' }).authority_host).toBe(
      'https://login.partner.microsoftonline.cn',
    );
  });
});

test('docs/setup.md lists every row of the table', () => {
  const setup = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'setup.md'), 'utf8');
  for (const cloud of SOVEREIGN_CLOUDS) {
    for (const suffix of cloud.suffixes) expect(setup).toContain(`| ${cloud.cloud} | \`*${suffix}\` | \`${cloud.authorityHost}\` |`);
  }
  expect(setup).toContain(`| Public (including GCC) | any other host | \`${PUBLIC_AUTHORITY_HOST}\` |`);
});
