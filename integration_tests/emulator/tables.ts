/**
 * Entity tables: which entities have rows (`world.org.tables`), and what tests did to them.
 *
 * Base rows are generated (rows.ts) from the table spec; only mutations are stored: the current
 * state of updated and inserted rows, and the deletion version of deleted ones. Every mutation
 * takes the next value of one org-wide change version (Dataverse's row version is database-wide)
 * and the time of the tables' clock, which tests control.
 */
import { entityColumns } from './columns';
import { hash2 } from './hash';
import type { EntityDef } from './model';
import { RowRenderer, type AnnotationChoice, type RenderEnv } from './render';
import { genContext, rowId, indexOfId, type GenContext, type RowState } from './rows';
import type { World } from './world';

/** How many generated rows an entity's table has. */
export interface TableSpec {
  rowCount: number;
  /** Default {@link DEFAULT_TABLE_SEED}. Lookups resolve into tables with the same seed. */
  seed?: number;
  /** `modifiedon` of row 0; default {@link DEFAULT_TABLE_START}. */
  startTime?: string;
  /** `modifiedon` of row i is startTime + i * stepSeconds; default {@link DEFAULT_STEP_SECONDS} (at least 1). */
  stepSeconds?: number;
  /**
   * Every memo (multiline text) value of every row is exactly this many ASCII characters (so as
   * many UTF-8 bytes) and never null: a table of large rows, whose pages the emulator streams
   * (page-body.ts). A whole number from 1 to {@link MAX_MEMO_BYTES}. Absent: short memo values,
   * some null.
   */
  memoBytes?: number;
}

/**
 * The longest multiline text value: MemoAttributeMetadata.MaxLength takes "values between 1 and
 * 1048576", and MaxSupportedLength is 1048576 [DOC learn.microsoft.com MemoAttributeMetadata.MaxLength
 * Property (gg307614) and MaxSupportedLength Field (gg306519)].
 */
export const MAX_MEMO_BYTES = 1_048_576;

/** Throws on a spec the tables cannot serve, naming the table and the field. */
export function checkTableSpec(entity: string, spec: TableSpec): void {
  const { memoBytes } = spec;
  if (memoBytes !== undefined && !(Number.isInteger(memoBytes) && memoBytes >= 1 && memoBytes <= MAX_MEMO_BYTES)) {
    throw new Error(`table ${entity}: memoBytes must be a whole number from 1 to ${MAX_MEMO_BYTES.toLocaleString('en-US')} (a multiline text column's longest value), not ${String(memoBytes)}`);
  }
}

/** Seed of a table spec without one. */
export const DEFAULT_TABLE_SEED = 1;
/** `modifiedon` of row 0 of a table spec without `startTime`. */
export const DEFAULT_TABLE_START = '2023-01-01T00:00:00Z';
/** Seconds between consecutive rows' `modifiedon` by default. */
export const DEFAULT_STEP_SECONDS = 60;
/** The tables' clock starts here: after the base rows of a million-row table (1M minutes end in 2024-11). */
export const DEFAULT_CLOCK_START = '2025-01-01T00:00:00Z';
/** Base row i has version BASE_ROW_VERSION + i. */
export const BASE_ROW_VERSION = 1_000_000;
/** The org's change version before any mutation: above every base row's version. */
export const INITIAL_CHANGE_VERSION = 100_000_000;

const DAY_MS = 86_400_000;

/** The stored mutations of one table. */
export class TableState {
  /** Updated and inserted rows, by index: their current state. */
  readonly overrides = new Map<number, RowState>();
  /** Deleted rows: index -> the change version of the delete. */
  readonly deleted = new Map<number, number>();
  /** Rows inserted so far; they take indexes rowCount, rowCount + 1, ... */
  inserted = 0;
  /** Delta tokens with a lower version are expired (expireDeltaTokens). */
  tokenFloor = 0;
  private cache: { byIndex?: RowState[]; byModified?: RowState[]; byVersion?: RowState[]; deletions?: Array<[number, number]> } = {};

  /** Drops the sorted views after a mutation. */
  touch(): void {
    this.cache = {};
  }

  /** Overridden rows by index. */
  byIndex(): RowState[] {
    return (this.cache.byIndex ??= [...this.overrides.values()].sort((a, b) => a.index - b.index));
  }

  /** Overridden rows by (modifiedon, index). */
  byModified(): RowState[] {
    return (this.cache.byModified ??= [...this.overrides.values()].sort((a, b) => a.modifiedMs - b.modifiedMs || a.index - b.index));
  }

  /** Overridden rows by version (mutation order). */
  byVersion(): RowState[] {
    return (this.cache.byVersion ??= [...this.overrides.values()].sort((a, b) => a.version - b.version));
  }

  /** Deleted rows as [index, version], by version. */
  deletions(): Array<[number, number]> {
    return (this.cache.deletions ??= [...this.deleted.entries()].sort((a, b) => a[1] - b[1]));
  }
}

/** One table resolved for a request: definition, spec, state and the generation context. */
export interface TableView {
  def: EntityDef;
  state: TableState;
  gen: GenContext;
  /** Generated rows. */
  baseCount: number;
  /** Size of the index space: base plus inserted rows. */
  total: number;
  startMs: number;
  stepMs: number;
}

/** A base row's `createdon` is within this long before its `modifiedon` (scan.ts bounds createdon scans with it). */
export const CREATED_SPREAD_MS = 90 * 86_400_000;

/** The state of base row `index` (never mutated). */
export function baseRow(view: TableView, index: number): RowState {
  const modifiedMs = view.startMs + index * view.stepMs;
  // createdon: up to 90 days before modifiedon, whole seconds.
  const createdMs = modifiedMs - (hash2(view.gen.key, index) % (CREATED_SPREAD_MS / 1000)) * 1000;
  return { index, version: BASE_ROW_VERSION + index, modifiedMs, createdMs, revision: 0 };
}

/** Row `index` as it is now, or undefined when deleted or out of range. */
export function currentRow(view: TableView, index: number): RowState | undefined {
  if (view.state.deleted.has(index)) return undefined;
  const override = view.state.overrides.get(index);
  if (override) return override;
  return index >= 0 && index < view.baseCount ? baseRow(view, index) : undefined;
}

/** What rendering needs from the org: currency symbol and the user's language. */
export function renderEnv(world: World): RenderEnv {
  const symbol = world.org.organizationRow.values.currencysymbol;
  return { currencySymbol: typeof symbol === 'string' ? symbol : '$', language: world.org.userLanguage };
}

/**
 * Per-table switches for change-tracking answers that the docs or users report but the default
 * emulator does not give (facts §9); all off by default.
 */
export interface ChangeTrackingQuirks {
  /**
   * A delta with no changes answers `{}` instead of an empty `value` with a deltaLink: "An empty
   * JSON response is returned if no table changes have occurred after the initial change
   * tracking request" [DOC PA use-change-tracking-synchronize-data-external-systems.md].
   */
  emptyNoChangeDelta?: boolean;
  /**
   * The last page of a track-changes read (initial sync or delta) has no `@odata.deltaLink`:
   * `'formatted'` when the FormattedValue annotation is requested, as a user reported
   * [ISSUE MicrosoftDocs/powerapps-docs#439, unverified]; `'always'` on every such page [INF].
   */
  missingDeltaLink?: 'formatted' | 'always';
}

/** Which rows a mutation targets: a count (spread evenly over the live rows) or explicit ids. */
export type RowTarget = number | readonly string[];

/**
 * The tables of one emulator: their mutations, the org-wide change version and the clock.
 * Exposed as `emulator.tables`.
 */
export class Tables {
  private readonly states = new Map<string, TableState>();
  private version = INITIAL_CHANGE_VERSION;
  private fixedNow = Date.parse(DEFAULT_CLOCK_START);
  private clockFn: (() => Date) | null = null;
  private readonly quirks = new Map<string, ChangeTrackingQuirks>();

  constructor(private readonly world: World) {}

  /** The clock mutations and delta tokens read: a fixed time unless {@link setClock} gave a function. */
  now(): Date {
    return this.clockFn ? this.clockFn() : new Date(this.fixedNow);
  }

  /** Sets the clock to a fixed time, or to a function called on every read. */
  setClock(now: string | Date | (() => Date)): void {
    if (typeof now === 'function') {
      this.clockFn = now;
      return;
    }
    this.clockFn = null;
    this.fixedNow = typeof now === 'string' ? Date.parse(now) : now.getTime();
    if (Number.isNaN(this.fixedNow)) throw new Error(`tables.setClock: not a date: ${String(now)}`);
  }

  /** Moves the fixed clock forward. */
  advance(seconds: number): void {
    if (this.clockFn) throw new Error('tables.advance: the clock is a function; use setClock');
    this.fixedNow += seconds * 1000;
  }

  /** The org's current change version (the version of the latest mutation). */
  changeVersion(): number {
    return this.version;
  }

  /** The entity whose entity set is `setName`, if the metadata has one. */
  entityBySetName(setName: string): EntityDef | undefined {
    for (const def of Object.values(this.world.org.entities)) if (def.entitySetName === setName) return def;
    return undefined;
  }

  /** Gives `entity` a table (replacing any earlier one and its mutations). */
  define(entity: string, spec: TableSpec): void {
    this.requireDef(entity);
    checkTableSpec(entity, spec);
    this.world.org.tables = { ...this.world.org.tables, [entity]: spec };
    this.states.delete(entity);
  }

  /**
   * The table of an entity known to the metadata, or undefined for an unknown entity. An entity
   * without a `world.org.tables` entry has an empty table, as a real entity set with no rows.
   */
  view(entity: string): TableView | undefined {
    const def = this.world.org.entities[entity];
    if (!def) return undefined;
    const spec = this.world.org.tables?.[entity] ?? { rowCount: 0 };
    let state = this.states.get(entity);
    if (!state) {
      state = new TableState();
      this.states.set(entity, state);
    }
    const startMs = Date.parse(spec.startTime ?? DEFAULT_TABLE_START);
    if (Number.isNaN(startMs)) throw new Error(`table ${entity}: startTime is not a date: ${spec.startTime}`);
    checkTableSpec(entity, spec);
    const { values, formatted } = this.world.org.organizationRow;
    const currencyId = typeof values._basecurrencyid_value === 'string' ? values._basecurrencyid_value : '228f42f8-e646-e111-8eb7-78e7d162ced1';
    return {
      def,
      state,
      gen: genContext(def, spec.seed ?? DEFAULT_TABLE_SEED, currencyId, formatted._basecurrencyid_value ?? 'US Dollar', spec.memoBytes),
      baseCount: spec.rowCount,
      total: spec.rowCount + state.inserted,
      startMs,
      stepMs: Math.max(1, spec.stepSeconds ?? DEFAULT_STEP_SECONDS) * 1000,
    };
  }

  /**
   * Updates rows: each gets the next change version, `modifiedon` = now, and re-drawn values
   * (`patch` values, by payload property name, win). Returns the updated ids in order.
   */
  update(entity: string, target: RowTarget, patch?: Record<string, unknown>): string[] {
    const view = this.requireView(entity);
    const nowMs = this.nowSeconds();
    return this.resolve(view, target).map((index) => {
      const current = currentRow(view, index) as RowState;
      view.state.overrides.set(index, {
        ...current,
        version: ++this.version,
        modifiedMs: nowMs,
        revision: current.revision + 1,
        patch: patch ? { ...current.patch, ...patch } : current.patch,
      });
      view.state.touch();
      return rowId(view.gen.key, index);
    });
  }

  /** Deletes rows; returns their ids. */
  delete(entity: string, target: RowTarget): string[] {
    const view = this.requireView(entity);
    return this.resolve(view, target).map((index) => {
      view.state.overrides.delete(index);
      view.state.deleted.set(index, ++this.version);
      view.state.touch();
      return rowId(view.gen.key, index);
    });
  }

  /** Inserts `count` new rows (createdon = modifiedon = now); returns their ids. */
  insert(entity: string, count: number, patch?: Record<string, unknown>): string[] {
    const view = this.requireView(entity);
    const nowMs = this.nowSeconds();
    const ids: string[] = [];
    for (let k = 0; k < count; k++) {
      const index = view.baseCount + view.state.inserted++;
      view.state.overrides.set(index, { index, version: ++this.version, modifiedMs: nowMs, createdMs: nowMs, revision: 0, patch });
      ids.push(rowId(view.gen.key, index));
    }
    view.state.touch();
    return ids;
  }

  /** Turns change-tracking quirks of `entity` on or off (they outlive `define`). */
  setChangeTrackingQuirks(entity: string, quirks: ChangeTrackingQuirks): void {
    this.requireDef(entity);
    this.quirks.set(entity, { ...quirks });
  }

  /** The change-tracking quirks of `entity` (none unless set). */
  changeTrackingQuirks(entity: string): ChangeTrackingQuirks {
    return this.quirks.get(entity) ?? {};
  }

  /** Makes every delta token issued so far for `entity` expired (0x80044352). */
  expireDeltaTokens(entity: string): void {
    this.requireView(entity).state.tokenFloor = ++this.version;
  }

  /** Live rows of the table. */
  count(entity: string): number {
    const view = this.requireView(entity);
    return view.total - view.state.deleted.size;
  }

  /**
   * Every live row in primary-key order as a query without `$select` returns it (annotations as asked, default none).
   * O(rows): for assertions on small tables.
   */
  rows(entity: string, annotations: Partial<AnnotationChoice> = {}): Array<Record<string, unknown>> {
    return this.rowTexts(entity, annotations).map((text) => JSON.parse(text) as Record<string, unknown>);
  }

  /**
   * {@link rows} as the JSON text the service sends, so that tests can compare numbers digit for
   * digit (JSON.parse would round Int64 and Decimal values); `annotations` adds the annotations a
   * `Prefer: odata.include-annotations` would.
   */
  rowTexts(entity: string, annotations: Partial<AnnotationChoice> = {}): string[] {
    const view = this.requireView(entity);
    const notes: AnnotationChoice = { formatted: false, navigation: false, logicalName: false, ...annotations };
    const renderer = new RowRenderer(view.gen, entityColumns(view.def).filter((c) => !c.selectOnly), notes, renderEnv(this.world));
    const out: string[] = [];
    for (let index = 0; index < view.total; index++) {
      const row = currentRow(view, index);
      if (row) out.push(renderer.render(row));
    }
    return out;
  }

  /** The id of row `index` (base rows 0..rowCount-1, inserted rows after). */
  idAt(entity: string, index: number): string {
    return rowId(this.requireView(entity).gen.key, index);
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000) * 1000;
  }

  private requireDef(entity: string): EntityDef {
    const def = this.world.org.entities[entity];
    if (!def) throw new Error(`tables: no entity '${entity}' in world.org.entities`);
    return def;
  }

  private requireView(entity: string): TableView {
    this.requireDef(entity);
    return this.view(entity) as TableView;
  }

  /**
   * Indexes of live rows: the given ids, or `count` rows spread evenly over the index space,
   * preferring rows no earlier mutation touched (so `update(e, K)` then `delete(e, D)` change
   * K + D distinct rows), then touched ones if the untouched do not suffice.
   */
  private resolve(view: TableView, target: RowTarget): number[] {
    const live = (i: number) => currentRow(view, i) !== undefined;
    if (typeof target !== 'number') {
      return target.map((id) => {
        const index = indexOfId(view.gen.key, id);
        if (index === undefined || !live(index)) throw new Error(`tables: ${view.def.logicalName} has no live row ${id}`);
        return index;
      });
    }
    const liveCount = view.total - view.state.deleted.size;
    if (!Number.isInteger(target) || target < 0 || target > liveCount) {
      throw new Error(`tables: cannot pick ${target} of the ${liveCount} live rows of ${view.def.logicalName}`);
    }
    const untouched = liveCount - view.state.overrides.size;
    const fresh = Math.min(target, untouched);
    const chosen = new Set<number>();
    const pick = (j: number, n: number, ok: (i: number) => boolean) => {
      let i = Math.floor((j * view.total) / n);
      while (!ok(i) || chosen.has(i)) i = (i + 1) % view.total;
      chosen.add(i);
    };
    for (let j = 0; j < fresh; j++) pick(j, fresh, (i) => live(i) && !view.state.overrides.has(i));
    for (let j = fresh; j < target; j++) pick(j - fresh, target - fresh, live);
    return [...chosen];
  }
}

/** Days a delta token stays valid: the organizations row's expirechangetrackingindays (default 7). */
export function tokenLifetimeMs(world: World): number {
  const days = world.org.organizationRow.values.expirechangetrackingindays;
  return (typeof days === 'number' ? days : 7) * DAY_MS;
}
