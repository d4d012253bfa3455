/** JsonFileSchemaLoader and InlineSchemaLoader: where a stream's JSON Schema comes from. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../paths';

export interface SchemaLoader {
  load(): Promise<Record<string, unknown>>;
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
