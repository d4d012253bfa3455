/**
 * The world the acceptance run reads: the emulator's default world with two entity tables, and
 * the `secrets/*` config files acceptance-test-config.yml names, written at test time into a temp
 * folder because the emulator listens on random ports.
 *
 *   secrets/config.json                  the emulator's config with entities [account, sample_bankaccount],
 *                                        picklists [account, sample_bankaccount], page_size 5
 *   secrets/config_unknown_entity.json   the same with entities [account, sample_bankaccount, nosuchentity]
 *   secrets/config_malformed.json        a file that is not JSON (check crashes: TRACE ERROR)
 *
 * Tables: account 25 rows (change tracked: delta tokens), sample_bankaccount 12 rows (no change
 * tracking: the modifiedon cursor). With page_size 5 that is 5 and 3 pages.
 * Every other path in the yml is relative to the repository root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../emulator';
import { ROOT } from '../helpers/cli';
import { STATIC_STREAMS } from '../helpers/streams';

export const CAT_ENTITIES = ['account', 'sample_bankaccount'] as const;
export const CAT_TABLES: Record<(typeof CAT_ENTITIES)[number], number> = { account: 25, sample_bankaccount: 12 };
export const CAT_PAGE_SIZE = 5;
export const UNKNOWN_ENTITY = 'nosuchentity';
/** The streams discover must list for secrets/config.json. */
export const CAT_STREAMS = [...STATIC_STREAMS, ...CAT_ENTITIES];

/** What a readable FAILED message must name, per failing config of the yml. */
export const FAILED_CONFIG_MENTIONS: Record<string, string[]> = {
  'integration_tests/invalid_config.json': ['org_url', 'tenant_id'],
  'secrets/config_unknown_entity.json': [`"${UNKNOWN_ENTITY}"`],
};

/**
 * The changes made between incremental read 1 and read 2, by row index (rows are seeded, so the
 * ids are stable). The modifiedon stream keeps its last row (the read-1 cursor) untouched, so the
 * boundary row is re-read by the inclusive `ge` filter: the exact expected set is known.
 */
export const MUTATION_CLOCK = '2025-01-01T01:00:00Z';
export const MUTATIONS: Record<string, { update: number[]; delete: number[]; insert: number }> = {
  account: { update: [3, 17], delete: [8, 21], insert: 2 },
  sample_bankaccount: { update: [2, 7], delete: [4], insert: 1 },
};

export interface AppliedMutations {
  updated: string[];
  deleted: string[];
  inserted: string[];
}

export interface CatWorld {
  emulator: Emulator;
  /** Absolute path of a yml path: generated secrets/*, else the repository file. */
  resolve(ymlPath: string): string;
  /** Writes a JSON file into the world's temp folder and returns its path. */
  write(name: string, value: unknown): string;
  /** Applies MUTATIONS at MUTATION_CLOCK; returns the ids per entity. */
  mutate(): Record<string, AppliedMutations>;
  close(): Promise<void>;
}

export async function startCatWorld(): Promise<CatWorld> {
  const emulator = await startEmulator();
  for (const entity of CAT_ENTITIES) emulator.tables.define(entity, { rowCount: CAT_TABLES[entity] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-dataverse-cat-'));
  fs.mkdirSync(path.join(dir, 'secrets'));
  const config = emulator.config({ entities: [...CAT_ENTITIES], picklists: [...CAT_ENTITIES], page_size: CAT_PAGE_SIZE });
  const secrets: Record<string, string> = {
    'secrets/config.json': JSON.stringify(config, null, 2),
    'secrets/config_unknown_entity.json': JSON.stringify({ ...config, entities: [...CAT_ENTITIES, UNKNOWN_ENTITY] }, null, 2),
    'secrets/config_malformed.json': '{"org_url": ',
  };
  for (const [name, text] of Object.entries(secrets)) fs.writeFileSync(path.join(dir, name), text);
  let written = 0;
  return {
    emulator,
    resolve(ymlPath: string): string {
      if (ymlPath.startsWith('secrets/')) {
        if (!(ymlPath in secrets)) throw new Error(`acceptance-test-config.yml names ${ymlPath}, which cat-world.ts does not generate (it makes: ${Object.keys(secrets).join(', ')})`);
        return path.join(dir, ymlPath);
      }
      const file = path.join(ROOT, ymlPath);
      if (!fs.existsSync(file)) throw new Error(`acceptance-test-config.yml names ${ymlPath}, which does not exist`);
      return file;
    },
    write(name: string, value: unknown): string {
      const file = path.join(dir, `${written++}-${name}`);
      fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    },
    mutate(): Record<string, AppliedMutations> {
      emulator.tables.setClock(MUTATION_CLOCK);
      const out: Record<string, AppliedMutations> = {};
      for (const [entity, m] of Object.entries(MUTATIONS)) {
        const ids = (indexes: number[]) => indexes.map((i) => emulator.tables.idAt(entity, i));
        out[entity] = {
          updated: emulator.tables.update(entity, ids(m.update)),
          deleted: emulator.tables.delete(entity, ids(m.delete)),
          inserted: emulator.tables.insert(entity, m.insert),
        };
      }
      return out;
    },
    async close(): Promise<void> {
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
