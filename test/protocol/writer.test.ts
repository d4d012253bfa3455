import { EventEmitter } from 'node:events';
import { recordMessage, streamStateMessage } from '../../connector/protocol/messages';
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

  test('redacts non-record messages', async () => {
    const sink = new Sink();
    const redactor = new Redactor();
    redactor.add('top-secret-value');
    const writer = new MessageWriter(sink, redactor);
    await writer.write({ type: 'LOG', log: { level: 'INFO', message: 'leak top-secret-value' } });
    expect(sink.chunks.join('')).toBe('{"type":"LOG","log":{"level":"INFO","message":"leak **********"}}\n');
  });
});
