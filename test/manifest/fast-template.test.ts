/** fastTemplate: the per-record templates it evaluates directly give what the interpreter gives, and others are left to it. */
import { fastTemplate } from '../../connector/manifest/factory';
import { compileTemplate, RECORD_VARIABLES } from '../../connector/manifest/interpolation';

const records: Array<Record<string, unknown>> = [{ modifiedon: '2024-01-01T00:00:00Z' }, { modifiedon: null }, {}, { modifiedon: 0 }, { modifiedon: '' }];

test.each([
  "{{ record['modifiedon'] }}",
  '{{ record.modifiedon }}',
  "{{ record['modifiedon'] | default(None) }}",
  '{{record["modifiedon"]|default(none)}}',
  '{{ record.modifiedon | default(null) }}',
  '{{ None }}',
])('%s', (source) => {
  const fast = fastTemplate(source);
  expect(fast).toBeDefined();
  const slow = compileTemplate(source, 'test', RECORD_VARIABLES);
  for (const record of records) expect([record, fast!.render({ record })]).toEqual([record, slow.render({ record })]);
});

test.each(["{{ record['modifiedon'] | default('x') }}", "{{ record['modifiedon'] | default(None, true) }}", "{{ record['a'] or None }}"])('%s is left to the interpreter', (source) => {
  expect(fastTemplate(source)).toBeUndefined();
});
