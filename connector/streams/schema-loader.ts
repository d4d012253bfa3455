/** JsonFileSchemaLoader and InlineSchemaLoader: where a stream's JSON Schema comes from. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../paths';

/**
 * Where a stream's JSON Schema comes from. A loader that reads the source's metadata may know
 * more of the stream than its schema; those capabilities are the optional methods.
 */
export interface SchemaLoader {
  load(): Promise<Record<string, unknown>>;
  /** The primary key, for a stream whose manifest declares none (known from metadata instead). */
  primaryKey?(): Promise<string[][]>;
  /** How many rows a full read would hold, when the source can tell cheaply (for TRACE ESTIMATE). */
  estimate?(): Promise<number | undefined>;
  /**
   * The fields that go with a selection: `<column>__formatted` with its column, fields derived
   * from others (CDC fields from the cursor), and the like.
   */
  linkedFields?(selected: ReadonlySet<string>): Promise<string[]>;
}

export class JsonFileSchemaLoader implements SchemaLoader {
  private cached?: Record<string, unknown>;
  /** `filePath` is relative to the package root, as Airbyte's manifests write it (`schemas/x.json`). */
  constructor(readonly filePath: string) {}

  async load(): Promise<Record<string, unknown>> {
    if (!this.cached) {
      const file = path.resolve(PACKAGE_ROOT, this.filePath.replace(/^\.\//, ''));
      this.cached = JSON.parse(await fs.promises.readFile(file, 'utf8')) as Record<string, unknown>;
    }
    return structuredClone(this.cached);
  }
}

export class InlineSchemaLoader implements SchemaLoader {
  constructor(private readonly schema: Record<string, unknown>) {}

  async load(): Promise<Record<string, unknown>> {
    return structuredClone(this.schema);
  }
}
