import { PageSlots, readUnderSlot } from '../../connector/http/page-slots';

describe('PageSlots', () => {
  test('at most `size` held; a release hands the slot to the first waiter; a second release does nothing', async () => {
    const slots = new PageSlots(2);
    const a = await slots.acquire(undefined, 60_000);
    const b = await slots.acquire(undefined, 60_000);
    expect(slots.held).toBe(2);
    const order: string[] = [];
    const c = slots.acquire(undefined, 60_000).then((r) => (order.push('c'), r));
    const d = slots.acquire(undefined, 60_000).then((r) => (order.push('d'), r));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    a();
    a();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(slots.held).toBe(2);
    b();
    (await d)();
    releaseC();
    expect(slots.held).toBe(0);
    expect(slots.overcommitted).toBe(0);
  });

  test('a wait past its bound reads without a slot (no hang), and counts it', async () => {
    const slots = new PageSlots(1);
    const held = await slots.acquire(undefined, 60_000);
    const late = await slots.acquire(undefined, 20);
    expect(slots.overcommitted).toBe(1);
    late();
    expect(slots.held).toBe(1);
    held();
    expect(slots.held).toBe(0);
  });

  test('an abort takes the waiter out and removes its listener', async () => {
    const slots = new PageSlots(1);
    const held = await slots.acquire(undefined, 60_000);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal, 60_000);
    controller.abort('SIGTERM');
    await expect(waiting).rejects.toThrow('stopped by SIGTERM while reading a page');
    held();
    expect(slots.held).toBe(0);
    // The aborted waiter got nothing: the next acquire is immediate.
    (await slots.acquire(undefined, 10))();
    expect(slots.overcommitted).toBe(0);
  });

  test('readUnderSlot gives the slot back when the body fails or the attempt was given up', async () => {
    const slots = new PageSlots(1);
    const failing = new ReadableStream<Uint8Array>({
      start: (c) => c.error(new Error('socket hang up')),
    });
    await expect(readUnderSlot(new Response(failing), new AbortController().signal, slots)).rejects.toThrow('socket hang up');
    expect(slots.held).toBe(0);
    const controller = new AbortController();
    // The attempt's deadline passes while the body is read: nobody takes the page.
    const late = new ReadableStream<Uint8Array>({
      pull: (c) => {
        controller.abort(new Error('deadline'));
        c.enqueue(new TextEncoder().encode('{}'));
        c.close();
      },
    });
    await expect(readUnderSlot(new Response(late), controller.signal, slots)).rejects.toThrow('deadline');
    expect(slots.held).toBe(0);
    const ok = new Response('{"value":[]}');
    const read = await readUnderSlot(ok, new AbortController().signal, slots);
    expect([read.text, slots.held]).toEqual(['{"value":[]}', 1]);
    read.release?.();
    expect(slots.held).toBe(0);
  });
});
