import { ManifestError } from '../../connector/manifest/errors';
import {
  compileTemplate,
  interpolateDeep,
  toTemplateString,
  type InterpolationContext,
} from '../../connector/manifest/interpolation';

const NOW = new Date('2024-03-05T06:07:08.009Z');

const context: InterpolationContext = {
  config: {
    org_url: 'https://contoso.crm4.dynamics.com',
    page_size: 100,
    ratio: 0.25,
    formatted_values: false,
    entities: ['account', 'contact'],
    nested: { a: { b: 'deep' } },
    spaced: '  padded text  ',
    nothing: null,
    empty: '',
    zero: 0,
    id_string: '123',
    start: '2024-01-02T03:04:05Z',
    'odata.key': 'dotted',
  },
  parameters: { name: 'organization', path: 'organizations' },
  stream_partition: { entity: 'account' },
  stream_slice: { entity: 'slice_entity' },
  stream_state: { modifiedon: '2024-02-01T00:00:00Z' },
  stream_interval: { start_time: '2024-01-01', end_time: '2024-01-31' },
  next_page_token: { next_page_token: 'https://x.test/next?page=2' },
  response: { '@odata.nextLink': 'https://x.test/next', value: [{ id: 1 }, { id: 2 }] },
  last_record: { id: 2 },
  last_page_size: 2,
  record: { accountid: 'A-1', tags: ['x', 'y'] },
  headers: { 'Retry-After': '7' },
  custom_key: 'custom value',
  __now: () => NOW,
};

function render(source: string, ctx: InterpolationContext = context): unknown {
  return compileTemplate(source, 'test.template').render(ctx);
}

function errorOf(action: () => unknown): ManifestError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

type Case = [name: string, source: string, expected: unknown];

function table(cases: Case[]): void {
  test.each(cases)('%s: %s', (_name, source, expected) => {
    expect(render(source)).toStrictEqual(expected);
  });
}

describe('constant templates', () => {
  test.each([
    ['plain text', 'https://x.test/api'],
    ['empty string', ''],
    ['single braces are text', '{"a": 1} and { b }'],
    ['closing braces alone are text', 'a }} b'],
  ])('%s', (_name, source) => {
    const template = compileTemplate(source);
    expect(template.isConstant).toBe(true);
    expect(template.render({})).toBe(source);
  });

  test('a template with an expression is not constant', () => {
    expect(compileTemplate('{{ 1 }}').isConstant).toBe(false);
    expect(compileTemplate('{{ 1 }}').source).toBe('{{ 1 }}');
    expect(compileTemplate('{{ 1 }}', 'a.b').path).toBe('a.b');
  });
});

describe('single expressions keep their type', () => {
  table([
    ['number', '{{ config.page_size }}', 100],
    ['float', '{{ config.ratio }}', 0.25],
    ['boolean', '{{ config.formatted_values }}', false],
    ['null', '{{ config.nothing }}', null],
    ['undefined', '{{ config.missing }}', undefined],
    ['list', '{{ config.entities }}', ['account', 'contact']],
    ['mapping', '{{ config.nested }}', { a: { b: 'deep' } }],
    ['numeric string stays a string (unlike Airbyte literal_eval)', '{{ config.id_string }}', '123'],
    ['surrounding whitespace allowed', '  {{ config.page_size }}\n', 100],
    ['whitespace inside braces', '{{config.page_size}}', 100],
  ]);
});

describe('mixed templates render strings', () => {
  table([
    ['text and value', "{{ config['org_url'] }}/api/data/v9.2/", 'https://contoso.crm4.dynamics.com/api/data/v9.2/'],
    ['two expressions', '{{ parameters.name }}:{{ parameters.path }}', 'organization:organizations'],
    ['number', 'size={{ config.page_size }}', 'size=100'],
    ['float', 'r={{ config.ratio }}', 'r=0.25'],
    ['booleans in Python form', '{{ true }}/{{ config.formatted_values }}', 'True/False'],
    ['undefined is empty', 'a{{ config.missing }}b', 'ab'],
    ['null is empty (Jinja would print None)', 'a{{ none }}b', 'ab'],
    ['list as JSON', 'e={{ config.entities }}', 'e=["account","contact"]'],
    ['mapping as JSON', 'n={{ config.nested }}', 'n={"a":{"b":"deep"}}'],
    ['two adjacent expressions', '{{ 1 }}{{ 2 }}', '12'],
    ['whitespace control strips around', 'a  {{- "x" -}}  b', 'axb'],
    ['whitespace control on one side', 'a  {{- "x" }}  b', 'ax  b'],
    ['whitespace control strips newlines', 'a\n  {{- 1 }}', 'a1'],
  ]);
});

describe('literals', () => {
  table([
    ['single-quoted string', "{{ 'it' }}", 'it'],
    ['double-quoted string', '{{ "it" }}', 'it'],
    ['escaped quote', "{{ 'it\\'s' }}", "it's"],
    ['escaped double quote', '{{ "say \\"hi\\"" }}', 'say "hi"'],
    ['newline and tab escapes', "{{ 'a\\nb\\tc' }}", 'a\nb\tc'],
    ['backslash escape', "{{ 'a\\\\b' }}", 'a\\b'],
    ['unicode escape', "{{ '\\u00e9\\x41' }}", 'éA'],
    ['unknown escape keeps the backslash', "{{ '\\d' }}", '\\d'],
    ['braces inside a string', "{{ '}}' }}", '}}'],
    ['integer', '{{ 42 }}', 42],
    ['decimal', '{{ 4.5 }}', 4.5],
    ['exponent', '{{ 1e3 }}', 1000],
    ['negative number', '{{ -3 }}', -3],
    ['true', '{{ true }}', true],
    ['True', '{{ True }}', true],
    ['false', '{{ false }}', false],
    ['False', '{{ False }}', false],
    ['none', '{{ none }}', null],
    ['None', '{{ None }}', null],
    ['null', '{{ null }}', null],
    ['list', "{{ [1, 'a', [true]] }}", [1, 'a', [true]]],
    ['empty list', '{{ [] }}', []],
    ['trailing comma', '{{ [1, 2,] }}', [1, 2]],
    ['dict', "{{ {'a': 1, 'b': {'c': config.page_size}} }}", { a: 1, b: { c: 100 } }],
    ['empty dict', '{{ {} }}', {}],
  ]);
});

describe('declared variables', () => {
  test('an undeclared variable is refused at compile time, naming it, the path and what the field can read', () => {
    const error = errorOf(() => compileTemplate("{{ confg['org_url'] }}/api", 'definitions.requester.url_base', new Set(['config', 'parameters'])));
    expect(error.message).toBe(
      'manifest error at definitions.requester.url_base: undeclared template variable "confg" in "{{ confg[\'org_url\'] }}/api"; this field can read: config, parameters',
    );
  });

  test('by default every Airbyte context variable is declared, and nothing else', () => {
    expect(errorOf(() => compileTemplate('{{ nope }}', 'p')).message).toBe(
      'manifest error at p: undeclared template variable "nope" in "{{ nope }}"; this field can read: config, parameters, stream_partition, stream_slice, stream_state, stream_interval, next_page_token, response, headers, last_record, last_page_size, record, components_values',
    );
  });

  test('context hooks are not variables: {{ __now }} is refused', () => {
    expect(errorOf(() => compileTemplate('{{ __now }}', 'p')).message).toMatch(/^manifest error at p: undeclared template variable "__now"/);
  });

  test('names anywhere in an expression are checked: filter arguments, conditions, dict values, the second of two blocks', () => {
    const vars = new Set(['config']);
    for (const [source, name] of [
      ["{{ config.a | default(cfg) }}", 'cfg'],
      ["{{ 'x' if config.a else other }}", 'other'],
      ["{{ {'k': config, 'v': val} }}", 'val'],
      ["{{ config.a }}-{{ record.b }}", 'record'],
      ["{{ config[key] }}", 'key'],
      ["{{ not (config.a and flag) }}", 'flag'],
    ]) {
      expect(errorOf(() => compileTemplate(source, 'p', vars)).message).toMatch(new RegExp(`undeclared template variable "${name}"`));
    }
  });

  test('a slot that declares its own variable reads it; built-in functions are not variables', () => {
    expect(compileTemplate('{{ custom_key }}', 'p', new Set(['custom_key'])).render(context)).toBe('custom value');
    expect(compileTemplate("{{ now_utc().strftime('%Y') }}", 'p', new Set()).render(context)).toBe(String(NOW.getUTCFullYear()));
  });
});

describe('variables and access', () => {
  table([
    ['config subscript', "{{ config['org_url'] }}", 'https://contoso.crm4.dynamics.com'],
    ['parameters member', '{{ parameters.path }}', 'organizations'],
    ['stream_partition', '{{ stream_partition.entity }}', 'account'],
    ['stream_slice', "{{ stream_slice['entity'] }}", 'slice_entity'],
    ['stream_state', '{{ stream_state.modifiedon }}', '2024-02-01T00:00:00Z'],
    ['stream_interval', '{{ stream_interval.start_time }}', '2024-01-01'],
    ['next_page_token', '{{ next_page_token.next_page_token }}', 'https://x.test/next?page=2'],
    ['response with an @ key', "{{ response['@odata.nextLink'] }}", 'https://x.test/next'],
    ['last_record', '{{ last_record.id }}', 2],
    ['last_page_size', '{{ last_page_size }}', 2],
    ['record', '{{ record.accountid }}', 'A-1'],
    ['headers', "{{ headers['Retry-After'] }}", '7'],
    ['dotted key by subscript', "{{ config['odata.key'] }}", 'dotted'],
    ['nested member chain', '{{ config.nested.a.b }}', 'deep'],
    ['list index', "{{ response['value'][1].id }}", 2],
    ['negative index', '{{ config.entities[-1] }}', 'contact'],
    ['index by member syntax', '{{ config.entities.0 }}', 'account'],
    ['computed subscript', "{{ config[parameters.missing or 'page_size'] }}", 100],
    ['string index', "{{ 'abc'[1] }}", 'b'],
    ['missing intermediate member', '{{ config.missing.deeper.still }}', undefined],
    ['missing intermediate subscript', "{{ config['missing'][0]['x'] }}", undefined],
    ['member of null', '{{ config.nothing.x }}', undefined],
    ['index out of range', '{{ config.entities[5] }}', undefined],
    ['member of a list', '{{ config.entities.length }}', undefined],
    ['prototype members are not visible', '{{ config.constructor }}', undefined],
    ['__proto__ is not visible', "{{ config['__proto__'] }}", undefined],
  ]);
});

describe('operators', () => {
  table([
    ['or picks the first truthy', "{{ config.missing or 'fallback' }}", 'fallback'],
    ['or returns the operand', '{{ config.page_size or 5 }}', 100],
    ['or with empty string', "{{ config.empty or 'x' }}", 'x'],
    ['and returns the falsy operand', '{{ config.zero and 5 }}', 0],
    ['and returns the last operand', "{{ 1 and 'b' }}", 'b'],
    ['not', '{{ not config.formatted_values }}', true],
    ['not of a non-empty list', '{{ not config.entities }}', false],
    ['not of an empty mapping', '{{ not {} }}', true],
    ['==', '{{ config.page_size == 100 }}', true],
    ['== on lists', "{{ config.entities == ['account', 'contact'] }}", true],
    ['== on mappings', "{{ {'a': 1} == {'a': 1} }}", true],
    ['== none', '{{ config.nothing == none }}', true],
    ['undefined != none', '{{ config.missing == none }}', false],
    ['!=', "{{ parameters.name != 'organization' }}", false],
    ['<', '{{ 1 < 2 }}', true],
    ['>', '{{ 1 > 2 }}', false],
    ['<=', '{{ 2 <= 2 }}', true],
    ['>=', '{{ 1 >= 2 }}', false],
    ['string comparison', "{{ 'abc' < 'abd' }}", true],
    ['chained comparison', '{{ 1 < 2 < 3 }}', true],
    ['chained comparison false', '{{ 1 < 3 < 2 }}', false],
    ['in list', "{{ 'account' in config.entities }}", true],
    ['in string', "{{ 'crm4' in config.org_url }}", true],
    ['in mapping keys', "{{ 'org_url' in config }}", true],
    ['in undefined', "{{ 'x' in config.missing }}", false],
    ['not in', "{{ 'lead' not in config.entities }}", true],
    ['not in (false)', "{{ 'account' not in config.entities }}", false],
    ['not binds looser than in', "{{ not 'account' in config.entities }}", false],
    ['is none', '{{ config.nothing is none }}', true],
    ['is not none', '{{ config.page_size is not none }}', true],
    ['undefined is not none', '{{ config.missing is none }}', false],
    ['is defined', '{{ config.page_size is defined }}', true],
    ['null is defined', '{{ config.nothing is defined }}', true],
    ['is not defined', '{{ config.missing is not defined }}', true],
    ['is undefined', '{{ config.missing is undefined }}', true],
    ['is string', '{{ config.org_url is string }}', true],
    ['is number', '{{ config.org_url is number }}', false],
    ['is integer', '{{ config.page_size is integer }}', true],
    ['is mapping', '{{ config.nested is mapping }}', true],
    ['is sequence', '{{ config.entities is sequence }}', true],
    ['is boolean', '{{ config.formatted_values is boolean }}', true],
    ['parentheses', '{{ (1 + 2) * 3 }}', 9],
    ['precedence without parentheses', '{{ 1 + 2 * 3 }}', 7],
    ['conditional true', "{{ 'yes' if config.page_size > 50 else 'no' }}", 'yes'],
    ['conditional false', "{{ 'yes' if config.formatted_values else 'no' }}", 'no'],
    ['conditional without else', "{{ 'yes' if config.formatted_values }}", undefined],
    ['nested conditional', "{{ 'a' if false else 'b' if true else 'c' }}", 'b'],
    ['~ concatenation', "{{ 'page-' ~ config.page_size }}", 'page-100'],
    ['~ with undefined', "{{ 'a' ~ config.missing ~ 'b' }}", 'ab'],
    ['~ with boolean', "{{ 'x' ~ true }}", 'xTrue'],
    ['+ on strings', "{{ 'a' + 'b' }}", 'ab'],
    ['+ on numbers', '{{ config.page_size + 1 }}', 101],
    ['+ on lists', '{{ [1] + [2] }}', [1, 2]],
    ['-', '{{ 10 - 4 }}', 6],
    ['/ is true division', '{{ 7 / 2 }}', 3.5],
    ['// floors', '{{ -7 // 2 }}', -4],
    ['% takes the sign of the divisor', '{{ -7 % 3 }}', 2],
  ]);

  test('+ binds looser than ~ (so 1 + (2 ~ 3) adds a number to a string and fails)', () => {
    expect(errorOf(() => render('{{ 1 + 2 ~ 3 }}')).message).toBe(
      'manifest error at test.template: in template "{{ 1 + 2 ~ 3 }}": cannot apply "+" to a number and a string; use ~ to join values as text',
    );
  });

  test('filters bind tighter than ~', () => {
    expect(render("{{ 'a' ~ 'b' | upper }}")).toBe('aB');
  });

  test('unary minus applies before filters', () => {
    expect(render("{{ -config.page_size | string }}")).toBe('-100');
  });
});

describe('filters', () => {
  table([
    ['default on undefined', "{{ config.missing | default('x') }}", 'x'],
    ['default keeps a defined value', "{{ config.page_size | default(5) }}", 100],
    ['default keeps null (Jinja semantics)', "{{ config.nothing | default('x') }}", null],
    ['default with boolean=true replaces falsy', "{{ config.empty | default('x', true) }}", 'x'],
    ['default keyword argument', "{{ config.zero | default('x', boolean=true) }}", 'x'],
    ['default without argument is empty string', '{{ config.missing | default }}', ''],
    ['d alias', '{{ config.missing | d(7) }}', 7],
    ['string of number', '{{ config.page_size | string }}', '100'],
    ['string of boolean', '{{ true | string }}', 'True'],
    ['string of list', '{{ config.entities | string }}', '["account","contact"]'],
    ['string of undefined', '{{ config.missing | string }}', ''],
    ['int of string', "{{ '42' | int }}", 42],
    ['int of decimal string', "{{ '4.7' | int }}", 4],
    ['int of float', '{{ 4.7 | int }}', 4],
    ['int of bad string', "{{ 'abc' | int }}", 0],
    ['int with default', "{{ 'abc' | int(-1) }}", -1],
    ['int of undefined', '{{ config.missing | int }}', 0],
    ['int of true', '{{ true | int }}', 1],
    ['trim', '{{ config.spaced | trim }}', 'padded text'],
    ['lower', "{{ 'AbC' | lower }}", 'abc'],
    ['upper', "{{ 'AbC' | upper }}", 'ABC'],
    ['chained filters', '{{ config.spaced | trim | upper }}', 'PADDED TEXT'],
    ['urlencode string keeps slashes', "{{ 'a b/c&d=é' | urlencode }}", 'a%20b/c%26d%3D%C3%A9'],
    ['urlencode mapping', "{{ {'k': 'a b', 'n': 1, 's/': 'x&y'} | urlencode }}", 'k=a+b&n=1&s%2F=x%26y'],
    ['urlencode pairs', "{{ [['a', 1], ['b', 'c d']] | urlencode }}", 'a=1&b=c+d'],
    ['urlencode number', '{{ 5 | urlencode }}', '5'],
    ['tojson sorts keys with Python separators', "{{ {'b': 1, 'a': [true, none]} | tojson }}", '{"a": [true, null], "b": 1}'],
    ['tojson escapes HTML and non-ASCII', "{{ '<é>&\\'' | tojson }}", '"\\u003c\\u00e9\\u003e\\u0026\\u0027"'],
    ['tojson with indent', "{{ {'a': [1]} | tojson(2) }}", '{\n  "a": [\n    1\n  ]\n}'],
    ['length of list', '{{ config.entities | length }}', 2],
    ['length of string in code points', "{{ 'a😀' | length }}", 2],
    ['length of mapping', '{{ config.nested | length }}', 1],
    ['length of undefined', '{{ config.missing | length }}', 0],
    ['count alias', '{{ config.entities | count }}', 2],
    ['replace all', "{{ 'a-b-c' | replace('-', '_') }}", 'a_b_c'],
    ['replace with count', "{{ 'a-b-c' | replace('-', '_', 1) }}", 'a_b-c'],
    ['join', "{{ config.entities | join(',') }}", 'account,contact'],
    ['join without separator', "{{ ['a', 1, true] | join }}", 'a1True'],
    ['filter on a parenthesized expression', "{{ (config.missing or 'a b') | upper }}", 'A B'],
    ['filter result in a comparison', '{{ config.entities | length > 1 }}', true],
  ]);
});

describe('functions and methods', () => {
  table([
    ['now_utc in Python str form', '{{ now_utc() }}', '2024-03-05 06:07:08.009000+00:00'],
    ['today_utc', '{{ today_utc() }}', '2024-03-05'],
    ['now_utc().strftime', "{{ now_utc().strftime('%Y-%m-%dT%H:%M:%SZ') }}", '2024-03-05T06:07:08Z'],
    ['now_utc().isoformat', '{{ now_utc().isoformat() }}', '2024-03-05T06:07:08.009000+00:00'],
    ['today_utc().strftime', "{{ today_utc().strftime('%Y/%m/%d %z') }}", '2024/03/05 '],
    ['format_datetime of a string', "{{ format_datetime(config.start, '%Y-%m-%d %H:%M:%S') }}", '2024-01-02 03:04:05'],
    ['format_datetime %z %s', "{{ format_datetime('2024-01-02T03:04:05+02:00', '%z %s') }}", '+0200 1704157445'],
    ['format_datetime %f', "{{ format_datetime('2024-01-02T03:04:05.5Z', '%S.%f') }}", '05.500000'],
    ['format_datetime of a date string', "{{ format_datetime('2024-01-02', '%Y-%m-%dT%H:%M:%S%z') }}", '2024-01-02T00:00:00+0000'],
    ['format_datetime of a datetime', "{{ format_datetime(now_utc(), '%d.%m.%Y %%') }}", '05.03.2024 %'],
    ['format_datetime of a timestamp', "{{ format_datetime(86400, '%Y-%m-%d') }}", '1970-01-02'],
    ['format_datetime of undefined', "{{ format_datetime(stream_state.missing, '%Y') }}", undefined],
    ['format_datetime in a mixed template', "$filter=modifiedon ge {{ format_datetime(stream_state.modifiedon, '%Y-%m-%dT%H:%M:%SZ') }}", '$filter=modifiedon ge 2024-02-01T00:00:00Z'],
    ['str_to_datetime', "{{ str_to_datetime('2022-01-01 13:45:30') }}", '2022-01-01 13:45:30+00:00'],
    ['day_delta default format', '{{ day_delta(1) }}', '2024-03-06T06:07:08.009000+0000'],
    ['day_delta negative', "{{ day_delta(-1, '%Y-%m-%d') }}", '2024-03-04'],
    ['day_delta keyword format', "{{ day_delta(25, format='%Y-%m-%d') }}", '2024-03-30'],
    ['get present', "{{ config.get('page_size') }}", 100],
    ['get missing without default is None', "{{ config.get('missing') }}", null],
    ['get missing with default', "{{ config.get('missing', 'fb') }}", 'fb'],
    ['get on undefined returns the default', "{{ config.missing.get('x', 3) }}", 3],
    ['strip', '{{ config.spaced.strip() }}', 'padded text'],
    ['startswith', "{{ config.org_url.startswith('https://') }}", true],
    ['endswith', "{{ config.org_url.endswith('.com') }}", true],
    ['lower method', "{{ 'AB'.lower() }}", 'ab'],
    ['upper method', "{{ 'ab'.upper() }}", 'AB'],
    ['string method on undefined', '{{ config.missing.strip() }}', undefined],
  ]);

  test('the clock defaults to the system time', () => {
    const rendered = render("{{ now_utc().strftime('%Y') }}", {}) as string;
    expect(rendered).toBe(String(new Date().getUTCFullYear()));
  });
});

describe('render errors name the template path', () => {
  test.each([
    ['comparison of number and string', "{{ 1 < 'a' }}", 'cannot compare a number with a string using "<"'],
    ['comparison with undefined', '{{ config.missing > 1 }}', 'cannot compare an undefined value with a number using ">"'],
    ['+ of mixed kinds', "{{ 'a' + 1 }}", 'cannot apply "+" to a string and a number; use ~ to join values as text'],
    ['- on strings', "{{ 'a' - 'b' }}", 'cannot apply "-" to a string and a string'],
    ['division by zero', '{{ 1 / 0 }}', 'division by zero in "/"'],
    ['unary minus on a string', "{{ -'a' }}", 'unary - needs a number, found a string'],
    ['in on a number', '{{ 1 in 2 }}', '"in" needs a string, list or mapping on the right, found a number'],
    ['non-string in string', "{{ 1 in 'abc' }}", '"in" on a string needs a string on the left, found a number'],
    ['get on a list', "{{ config.entities.get('x') }}", '.get() works on mappings, found a list'],
    ['strip on a number', '{{ config.page_size.strip() }}', '.strip() works on strings, found a number'],
    ['strftime on a string', "{{ config.org_url.strftime('%Y') }}", '.strftime() works on datetimes, found a string'],
    ['unparseable date', "{{ format_datetime('yesterday', '%Y') }}", 'format_datetime() cannot read "yesterday" as an ISO 8601 date-time'],
    ['impossible date', "{{ format_datetime('2024-02-30', '%Y') }}", 'format_datetime() cannot read "2024-02-30" as an ISO 8601 date-time'],
    ['unsupported strftime directive', "{{ now_utc().strftime('%Q') }}", '.strftime(): unsupported strftime directive %Q in "%Q" (supported: %Y %y %m %d %H %M %S %f %z %Z %s %j %b %a %%)'],
    ['non-string format', '{{ format_datetime(config.start, 5) }}', 'format_datetime() expects a format string, found a number'],
    ['day_delta on a string', "{{ day_delta('1') }}", 'day_delta() expects a number of days, found a string'],
    ['length of a number', '{{ 5 | length }}', 'length needs a string, list or mapping, found a number'],
    ['join of a string', "{{ 'ab' | join }}", 'join needs a list, found a string'],
  ])('%s', (_name, source, detail) => {
    const error = errorOf(() => compileTemplate(source, 'streams[0].retriever.requester.path').render(context));
    expect(error.path).toBe('streams[0].retriever.requester.path');
    expect(error.message).toBe(`manifest error at streams[0].retriever.requester.path: in template ${JSON.stringify(source)}: ${detail}`);
  });
});

describe('compile errors name the path and column', () => {
  test.each([
    ['statement block', '{% if x %}a{% endif %}', 'column 1: Jinja statements ({% ... %}) are not supported; use a {{ ... }} expression'],
    ['comment', 'a {# note #}', 'column 3: Jinja comments ({# ... #}) are not supported'],
    ['unterminated expression', 'x {{ config.a', 'column 3: unterminated expression: "{{" has no matching "}}"'],
    ['empty expression', '{{ }}', 'column 4: empty expression: expected something between "{{" and "}}"'],
    ['missing bracket', "{{ config['a' }}", 'column 15: expected "]" but found "}"'],
    ['unterminated string', "{{ 'abc }}", 'column 4: unterminated string literal'],
    ['unexpected character', '{{ a ! b }}', 'column 6: unexpected character "!"'],
    ['trailing tokens', '{{ a b }}', 'column 6: unexpected "b"; expected an operator or "}}"'],
    ['dangling operator', '{{ a + }}', 'column 8: unexpected "}}"; expected a value'],
    ['keyword as value', '{{ and }}', 'column 4: unexpected keyword "and"; expected a value'],
    ['unknown function', '{{ eval("x") }}', 'column 4: unknown function "eval()"; supported functions: now_utc, today_utc, format_datetime, str_to_datetime, day_delta'],
    ['unknown method', '{{ config.keys() }}', 'column 11: unsupported method ".keys()"; supported methods: .get(), .strip(), .lower(), .upper(), .startswith(), .endswith(), .strftime(), .isoformat()'],
    ['call of a non-function', "{{ config['get']('x') }}", 'column 17: only the functions now_utc, today_utc, format_datetime, str_to_datetime, day_delta and the methods .get(), .strip(), .lower(), .upper(), .startswith(), .endswith(), .strftime(), .isoformat() can be called'],
    ['unknown filter', '{{ a | shout }}', 'column 8: unknown filter "shout"; supported filters: default, d, string, int, trim, lower, upper, urlencode, tojson, length, count, replace, join'],
    ['unknown test', '{{ a is odd }}', 'column 9: unknown test "odd" after "is"; supported tests: defined, undefined, none, string, number, integer, float, boolean, true, false, mapping, sequence'],
    ['too many arguments', '{{ now_utc(1) }}', 'column 4: now_utc() takes at most 0 arguments, got 1'],
    ['missing argument', "{{ format_datetime('2024-01-01') }}", 'column 4: format_datetime() is missing its "format" argument'],
    ['unknown keyword', '{{ day_delta(1, fmt="%Y") }}', 'column 4: day_delta() has no parameter "fmt"'],
    ['argument given twice', "{{ day_delta(1, num_days=2) }}", 'column 4: day_delta() got "num_days" twice'],
    ['positional after keyword', "{{ a | default(boolean=true, 'x') }}", 'column 30: filter "default": positional arguments must come before keyword arguments'],
    ['tuple', '{{ (1, 2) }}', 'column 6: tuples are not supported; use a list [a, b]'],
    ['slice', '{{ a[1:2] }}', 'column 7: slices are not supported'],
    ['bad escape', "{{ '\\x4' }}", 'column 5: invalid \\x escape: expected 2 hex digits'],
    ['mismatched closing bracket', '{{ (a] }}', 'column 6: expected ")" but found "]"'],
  ])('%s', (_name, source, detail) => {
    const error = errorOf(() => compileTemplate(source, 'definitions.requester.path'));
    expect(error.path).toBe('definitions.requester.path');
    expect(error.message).toBe(`manifest error at definitions.requester.path: template syntax error at ${detail} in ${JSON.stringify(source)}`);
  });

  test('multi-line templates report line and column', () => {
    expect(errorOf(() => compileTemplate('a\nb {{ x y }}', 'p')).message).toBe(
      'manifest error at p: template syntax error at line 2, column 8: unexpected "y"; expected an operator or "}}" in "a\\nb {{ x y }}"',
    );
  });

  test('the default path is <template>', () => {
    expect(errorOf(() => compileTemplate('{{ }}')).path).toBe('<template>');
  });
});

describe('toTemplateString', () => {
  test.each<[string, unknown, string]>([
    ['string', 'a', 'a'],
    ['undefined', undefined, ''],
    ['null', null, ''],
    ['true', true, 'True'],
    ['false', false, 'False'],
    ['integer', 5, '5'],
    ['decimal', 1.5, '1.5'],
    ['list', [1, 'a'], '[1,"a"]'],
    ['mapping', { a: null }, '{"a":null}'],
  ])('%s', (_name, value, expected) => {
    expect(toTemplateString(value)).toBe(expected);
  });
});

describe('interpolateDeep', () => {
  test('renders every string in a nested structure, keys included', () => {
    const tree = interpolateDeep(
      {
        $select: '{{ parameters.path }}id,name',
        $top: '{{ config.page_size }}',
        'Prefer-{{ stream_partition.entity }}': 'odata.maxpagesize={{ config.page_size }}',
        list: ['{{ config.formatted_values }}', 3, null, 'plain'],
        nested: { keep: 'as is', n: 1 },
        flag: true,
      },
      'streams[0].retriever.requester.request_parameters',
    );
    expect(tree.isConstant).toBe(false);
    expect(tree.render(context)).toStrictEqual({
      $select: 'organizationsid,name',
      $top: 100,
      'Prefer-account': 'odata.maxpagesize=100',
      list: [false, 3, null, 'plain'],
      nested: { keep: 'as is', n: 1 },
      flag: true,
    });
  });

  test('a constant structure is returned as given', () => {
    const value = { a: ['x', 1], b: { c: 'd' } };
    const tree = interpolateDeep(value, 'request_headers');
    expect(tree.isConstant).toBe(true);
    expect(tree.render(context)).toBe(value);
  });

  test('scalars and strings at the top level', () => {
    expect(interpolateDeep('{{ config.page_size }}', 'x').render(context)).toBe(100);
    expect(interpolateDeep(7, 'x').render(context)).toBe(7);
  });

  test('undefined values are kept for the consumer to drop', () => {
    expect(interpolateDeep({ a: '{{ config.missing }}' }, 'x').render(context)).toStrictEqual({ a: undefined });
  });

  test('errors name the path of the offending string', () => {
    const error = errorOf(() => interpolateDeep({ headers: { 'Content-Type': ['ok', '{{ bad( }}'] } }, 'streams[0].retriever.requester'));
    expect(error.path).toBe('streams[0].retriever.requester.headers["Content-Type"][1]');
  });

  test('render errors name the path of the offending string', () => {
    const tree = interpolateDeep({ q: "{{ 1 < 'a' }}" }, 'rp');
    expect(errorOf(() => tree.render(context)).path).toBe('rp.q');
  });
});

describe('compile once, render many', () => {
  test('renders with different contexts', () => {
    const template = compileTemplate("{{ stream_partition.entity }}s?$top={{ config.page_size | default(10) }}", 'path');
    expect(template.render({ stream_partition: { entity: 'account' }, config: { page_size: 5 } })).toBe('accounts?$top=5');
    expect(template.render({ stream_partition: { entity: 'lead' }, config: {} })).toBe('leads?$top=10');
  });
});
