import * as fs from 'node:fs';
import * as path from 'node:path';
import { flattenAttribute } from '../../connector/dataverse/option-sets';
import { parseSelection } from '../../connector/dataverse/picklist-selection';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'integration_tests', 'emulator', 'fixtures', name), 'utf8'));

describe('flattenAttribute', () => {
  test('a local picklist: one record per option, labels, nulls for absent strings', () => {
    const [category] = fixture('picklist-all-account.json').value;
    const records = flattenAttribute('account', 'Picklist', { ...category, OptionSet: { ...category.OptionSet, Name: 'account_accountcategorycode', IsGlobal: false } });
    expect(records.map((r) => [r.value, r.label])).toEqual(
      category.OptionSet.Options.map((o: any) => [o.Value, o.Label.UserLocalizedLabel.Label]),
    );
    expect(records[0]).toEqual({
      entity: 'account',
      attribute: 'accountcategorycode',
      attribute_type: 'Picklist',
      option_set_name: 'account_accountcategorycode',
      is_global: false,
      value: 1,
      label: 'Preferred Customer',
      labels: [{ language_code: 1033, label: 'Preferred Customer' }],
      description: null,
      color: null,
      external_value: null,
      state: null,
    });
  });

  test('status options carry the state they belong to', () => {
    const [status] = fixture('status-attribute.json').value;
    const records = flattenAttribute('account', 'Status', status);
    expect(records.map((r) => [r.value, r.state])).toEqual(status.OptionSet.Options.map((o: any) => [o.Value, o.State]));
    expect(records.every((r) => r.attribute_type === 'Status')).toBe(true);
  });

  test('a boolean set becomes value 0 (FalseOption) then 1 (TrueOption)', () => {
    const attribute = { LogicalName: 'sample_boolean', ...fixture('boolean.json') };
    const records = flattenAttribute('sample_bankaccount', 'Boolean', attribute);
    expect(records.map((r) => [r.value, r.label])).toEqual([
      [0, attribute.OptionSet.FalseOption.Label.UserLocalizedLabel.Label],
      [1, attribute.OptionSet.TrueOption.Label.UserLocalizedLabel.Label],
    ]);
    expect(records[0].option_set_name).toBe('sample_bankaccount_sample_boolean');
  });

  test('a user label of "" is null, never ""', () => {
    const records = flattenAttribute('e', 'Picklist', {
      LogicalName: 'a',
      OptionSet: { Name: 'g', IsGlobal: true, Options: [{ Value: 5, Label: { LocalizedLabels: [], UserLocalizedLabel: { Label: '', LanguageCode: 1033 } }, Color: '', ExternalValue: '' }] },
    });
    expect(records).toEqual([
      { entity: 'e', attribute: 'a', attribute_type: 'Picklist', option_set_name: 'g', is_global: true, value: 5, label: null, labels: [], description: null, color: null, external_value: null, state: null },
    ]);
  });

  test('a missing OptionSet is an error, not an empty result', () => {
    expect(() => flattenAttribute('e', 'Picklist', { LogicalName: 'a' })).toThrow('option set of e.a was not returned (OptionSet not expanded)');
  });
});

describe('parseSelection', () => {
  test('groups by entity; a whole entity wins over its attributes', () => {
    expect(parseSelection(['account.industrycode', 'Opportunity', 'account.statuscode', 'opportunity.statuscode'])).toEqual([
      { entity: 'account', attributes: ['industrycode', 'statuscode'] },
      { entity: 'opportunity', attributes: null },
    ]);
  });
  test('rejects malformed items', () => {
    expect(() => parseSelection(['account.industry.code'])).toThrow('config picklists item "account.industry.code" is not "entity" or "entity.attribute"');
  });
});
