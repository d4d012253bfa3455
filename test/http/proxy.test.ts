import { proxyVariable } from '../../connector/http/proxy';

describe('proxyVariable', () => {
  test.each<[string, NodeJS.ProcessEnv, string | undefined]>([
    ['none set', {}, undefined],
    ['HTTPS_PROXY first', { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://q:2' }, 'HTTPS_PROXY'],
    ['lower case', { https_proxy: 'http://p:1' }, 'https_proxy'],
    ['HTTP_PROXY alone (undici uses it for https too when no HTTPS_PROXY)', { HTTP_PROXY: 'http://q:2' }, 'HTTP_PROXY'],
    ['empty values count as unset', { HTTPS_PROXY: '', http_proxy: '' }, undefined],
    ['NO_PROXY alone sets no proxy', { NO_PROXY: '*' }, undefined],
  ])('%s', (_name, env, expected) => {
    expect(proxyVariable(env)).toBe(expected);
  });
});
