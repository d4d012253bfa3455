/**
 * Rows as JSON text, built by string concatenation: a 5,000-row page is rendered without an
 * intermediate object per row. Annotations precede the property they describe, formatted value
 * first, then the lookup annotations (accounts-formatted-values.json, accounts-lookup-annotations.json,
 * organizations.json); `@odata.etag` comes first and carries the row version.
 */
import type { Column } from './columns';
import { choiceLabel, formatDateOnly, formatDateTime, formatInteger, formatMoney, multiSelectLabel } from './formatting';
import { ASSOCIATED_NAVIGATION_PROPERTY, FORMATTED_VALUE, LOOKUP_LOGICAL_NAME } from './odata';
import { ExactNumber, generateCell, type Cell, type GenContext, type RowState } from './rows';

/** Which annotations a request asked for (`Prefer: odata.include-annotations`). */
export interface AnnotationChoice {
  formatted: boolean;
  navigation: boolean;
  logicalName: boolean;
}

/** What formatting needs from the org. */
export interface RenderEnv {
  currencySymbol: string;
  /** The user's language (LCID): picks option labels. */
  language: number;
}

/** A JSON literal for a cell value. */
function jsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    default:
      if (value instanceof ExactNumber) return value.text;
      return value === null || value === undefined ? 'null' : JSON.stringify(value);
  }
}

/**
 * Kinds whose generated strings never need JSON escaping (GUIDs, ISO dates, digit lists, base64):
 * they are quoted directly, skipping JSON.stringify on the hot path.
 */
const PLAIN_STRING_KINDS = new Set(['primaryid', 'uniqueidentifier', 'lookup', 'datetime', 'dateonly', 'multiselect', 'image', 'file']);

interface PreparedColumn {
  col: Column;
  plain: boolean;
  /** `,"prop":` */
  key: string;
  formattedKey: string;
  navigationPart: string;
  navigationKey: string;
  logicalNameKey: string;
}

/** Renders rows of one table with one selection and one set of annotations. */
export class RowRenderer {
  private readonly prepared: PreparedColumn[];
  private readonly cell: Cell = { value: null, target: null, name: null };

  constructor(
    private readonly gen: GenContext,
    columns: readonly Column[],
    private readonly notes: AnnotationChoice,
    private readonly env: RenderEnv,
  ) {
    this.prepared = columns.map((col) => ({
      col,
      plain: PLAIN_STRING_KINDS.has(col.kind),
      key: `,"${col.property}":`,
      formattedKey: `,"${col.property}@${FORMATTED_VALUE}":`,
      navigationKey: `,"${col.property}@${ASSOCIATED_NAVIGATION_PROPERTY}":`,
      navigationPart: `,"${col.property}@${ASSOCIATED_NAVIGATION_PROPERTY}":${JSON.stringify(col.attr.logicalName)}`,
      logicalNameKey: `,"${col.property}@${LOOKUP_LOGICAL_NAME}":`,
    }));
  }

  /** The row's JSON object text (flat: built from parts joined once, which keeps GC cheap). */
  render(row: RowState): string {
    const { cell, notes } = this;
    const patch = row.patch;
    const out: string[] = [`{"@odata.etag":"W/\\"${row.version}\\""`];
    for (const p of this.prepared) {
      const property = p.col.property;
      generateCell(this.gen, p.col, row, cell);
      let value = cell.value;
      let name = cell.name;
      const patched = patch !== undefined && property in patch;
      if (patched) {
        value = patch[property];
        name = null;
      }
      if (value !== null && value !== undefined) {
        if (notes.formatted) {
          const given = patch?.[`${property}@${FORMATTED_VALUE}`];
          const formatted = typeof given === 'string' ? given : p.col.kind === 'lookup' ? (name ?? undefined) : this.format(p.col, value);
          if (formatted !== undefined) out.push(p.formattedKey, JSON.stringify(formatted));
        }
        if (p.col.kind === 'lookup') {
          if (notes.navigation) {
            // Customer columns navigate through one property per target table [INF from the
            // navigation property names, e.g. parentcustomerid_account]; others through their own name.
            out.push(p.col.attr.attributeType === 'Customer' && cell.target !== null ? `${p.navigationKey}"${p.col.attr.logicalName}_${cell.target}"` : p.navigationPart);
          }
          if (notes.logicalName && cell.target !== null) out.push(p.logicalNameKey, JSON.stringify(cell.target));
        }
      }
      out.push(p.key, p.plain && !patched && typeof value === 'string' ? `"${value}"` : jsonValue(value));
    }
    out.push('}');
    return out.join('');
  }

  /** The formatted value of a non-lookup cell, when the service gives one for its type. */
  private format(col: Column, value: unknown): string | undefined {
    const { language, currencySymbol } = this.env;
    switch (col.kind) {
      case 'choice':
      case 'boolean':
        return typeof value === 'number' || typeof value === 'boolean' ? choiceLabel(col.attr.optionSet, Number(value), language) : undefined;
      case 'multiselect':
        return typeof value === 'string' ? multiSelectLabel(col.attr.optionSet, value, language) : undefined;
      case 'money':
        return typeof value === 'number' ? formatMoney(value, currencySymbol) : undefined;
      case 'integer':
        return typeof value === 'number' ? formatInteger(value) : undefined;
      case 'datetime':
        return typeof value === 'string' ? formatDateTime(value) : undefined;
      case 'dateonly':
        return typeof value === 'string' ? formatDateOnly(value) : undefined;
      default:
        return undefined;
    }
  }
}
