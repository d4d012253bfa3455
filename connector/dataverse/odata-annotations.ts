/**
 * Removes OData annotations (`@odata.etag`, `x@OData.Community.Display.V1.FormattedValue`, ...)
 * from a Dataverse row: they are transport metadata, not columns, and a record must hold only
 * fields its schema declares.
 */
import type { RecordTransformation, StreamRecord } from '../streams/types';

export class ODataAnnotationRemover implements RecordTransformation {
  transform(record: StreamRecord): void {
    for (const key in record) {
      if (key.includes('@')) delete record[key];
    }
  }
}
