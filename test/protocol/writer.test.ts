import { EventEmitter } from 'node:events';
import { recordBatch, recordMessage, streamStateMessage } from '../../connector/protocol/messages';
import { Redactor } from '../../connector/protocol/redactor';
import { MessageWriter } from '../../connector/protocol/writer';

class Sink extends EventEmitter {
  chunks: string[] = [];
  full = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
}

describe('MessageWriter', () => {
  test('batches records and flushes them before a state, in order', async () => {
    const sink = new Sink();
    const writer = new MessageWriter(sink);
    await writer.write(recordMessage('s', { id: 1 }, 1));
    await writer.write(recordMessage('s', { id: 2 }, 1));
    expect(sink.chunks).toEqual([]);
    await writer.write(streamStateMessage('s', {}, 2));
    expect(sink.chunks).toHaveLength(1);
    expect(sink.chunks[0].trimEnd().split('\n').map((l) => JSON.parse(l).type)).toEqual(['RECORD', 'RECORD', 'STATE']);
  });

  test('waits for drain when the sink is full', async () => {
    const sink = new Sink();
    sink.full = true;
    const writer = new MessageWriter(sink);
    let done = false;
    const pending = writer.write(streamStateMessage('s', {}, 0)).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    sink.emit('drain');
    await pending;
    expect(done).toBe(true);
  });

  test('a batch is consumed: its list is empty once its lines are out, and only then', async () => {
    const sink = new Sink();
    sink.full = true;
    const writer = new MessageWriter(sink);
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: 'x'.repeat(40) }));
    const pending = writer.write(recordBatch('s', rows, 1));
    await new Promise((r) => setImmediate(r));
    // Past 64 KB the writer waits for drain: the rows not yet written are still there.
    expect(rows).toHaveLength(3000);
    sink.full = false;
    sink.emit('drain');
    await pending;
    expect(rows).toEqual([]);
    await writer.flush();
    const lines = sink.chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(JSON.parse(lines[2999]).record.data).toEqual({ id: 2999, text: 'x'.repeat(40) });
    expect(writer.written).toBe(3000);
  });

  test('redacts non-record messages', async () => {
    const sink = new Sink();
    const redactor = new Redactor();
    redactor.add('top-secret-value');
    const writer = new MessageWriter(sink, redactor);
    await writer.write({ type: 'LOG', log: { level: 'INFO', message: 'leak top-secret-value' } });
    expect(sink.chunks.join('')).toBe('{"type":"LOG","log":{"level":"INFO","message":"leak **********"}}\n');
  });
});

describe('records projected onto the schema fields', () => {
  const fields = ['accountid', 'name', 'revenue', 'tags'];
  async function written(records: Record<string, unknown>[]): Promise<unknown[]> {
    const sink = new Sink();
    const writer = new MessageWriter(sink);
    await writer.write(recordBatch('account', records, 7, fields));
    await writer.flush();
    return sink.chunks.join('').trimEnd().split('\n').map((l) => JSON.parse(l).record.data);
  }

  test.each([
    ['a row with a leading annotation: only the fields kept', { '@odata.etag': 'W/"12\\"3"', accountid: 'a', name: 'x "q"', revenue: 1.5 }, { accountid: 'a', name: 'x "q"', revenue: 1.5 }],
    ['annotations and unasked columns dropped', { accountid: 'a', 'name@OData.Community.Display.V1.FormattedValue': 'X', name: 'x', _transactioncurrencyid_value: 'c' }, { accountid: 'a', name: 'x' }],
    ['an etag that is not first', { accountid: 'a', '@odata.etag': 'W/"1"', name: null }, { accountid: 'a', name: null }],
    ['undefined left out, non-finite numbers as null, nested values whole', { accountid: 'a', name: undefined, revenue: Number.NaN, tags: { x: [1] } }, { accountid: 'a', revenue: null, tags: { x: [1] } }],
    ['only the etag', { '@odata.etag': 'W/"1"' }, {}],
    ['any leading string member outside the fields', { version: '7', accountid: 'a', name: 'x' }, { accountid: 'a', name: 'x' }],
    ['a leading member that is not a string', { version: 7, accountid: 'a', name: 'x' }, { accountid: 'a', name: 'x' }],
    ['two members outside the fields', { version: '7', accountid: 'a', extra: 'e' }, { accountid: 'a' }],
  ])('%s', async (_name, record, expected) => {
    expect(await written([record])).toEqual([expected]);
  });

  test('fields are written in the field list\'s order, whatever the row\'s order', async () => {
    const sink = new Sink();
    const writer = new MessageWriter(sink);
    await writer.write(recordBatch('account', [{ tags: 't', name: 'n', accountid: 'a', extra: 1 }], 7, fields));
    await writer.flush();
    expect(sink.chunks.join('')).toBe('{"type":"RECORD","record":{"stream":"account","data":{"accountid":"a","name":"n","tags":"t"},"emitted_at":7}}\n');
  });

  test('field names that are not identifiers are data, never code', async () => {
    const hostile = ['"]; throw new Error("x"); //', '__proto__', 'a\u2028b', '\\', 'constructor'];
    const record: Record<string, unknown> = Object.create(null);
    hostile.forEach((name, i) => (record[name] = i));
    const sink = new Sink();
    const writer = new MessageWriter(sink);
    await writer.write(recordBatch('s', [record], 7, hostile));
    await writer.flush();
    const data = JSON.parse(sink.chunks.join('')).record.data;
    expect(Object.keys(data)).toEqual(hostile);
    expect(Object.values(data)).toEqual([0, 1, 2, 3, 4]);
  });

  test('the RECORD line carries stream and emitted_at around the data', async () => {
    const sink = new Sink();
    const writer = new MessageWriter(sink);
    await writer.write(recordBatch('account', [{ '@odata.etag': 'W/"1"', accountid: 'a' }], 7, fields));
    await writer.flush();
    expect(sink.chunks.join('')).toBe('{"type":"RECORD","record":{"stream":"account","data":{"accountid":"a"},"emitted_at":7}}\n');
  });
});
