/**
 * Partition routers: which slices a stream reads (Airbyte's ListPartitionRouter and friends).
 * Each partition becomes `stream_partition` in the templates of the requests made for it.
 */
import type { Renderable } from '../http/requester';
import type { StreamContext } from './types';

export type StreamPartition = Record<string, unknown>;

export interface PartitionRouter {
  partitions(context: StreamContext): Promise<StreamPartition[]>;
}

/** One empty partition: a stream without a router. */
export class SinglePartitionRouter implements PartitionRouter {
  async partitions(): Promise<StreamPartition[]> {
    return [{}];
  }
}

/** ListPartitionRouter: one partition per value, under `cursor_field`. */
export class ListPartitionRouter implements PartitionRouter {
  constructor(
    private readonly values: Renderable,
    private readonly cursorField: string,
  ) {}

  async partitions(context: StreamContext): Promise<StreamPartition[]> {
    const values = this.values.render(context);
    const list = Array.isArray(values) ? values : values === undefined || values === null ? [] : [values];
    return list.map((value) => ({ [this.cursorField]: value }));
  }
}
