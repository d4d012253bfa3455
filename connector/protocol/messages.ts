/**
 * Airbyte message constructors. Every message the connector prints is built here, so the
 * wire shape (camelCase where the protocol says so, STREAM state with sourceStats) lives in one place.
 */
import type {
  AirbyteCatalog,
  AirbyteMessage,
  AirbyteStream,
  ConnectorSpecification,
} from '../generated/airbyte-message';

export type { AirbyteMessage, AirbyteStream, AirbyteCatalog, ConnectorSpecification };
export type FailureType = 'system_error' | 'config_error' | 'transient_error';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

/** A RECORD message; `emittedAt` is epoch milliseconds (an integer, as the protocol requires). */
export function recordMessage(stream: string, data: Record<string, unknown>, emittedAt: number): AirbyteMessage {
  return { type: 'RECORD', record: { stream, data, emitted_at: Math.trunc(emittedAt) } };
}

/** A per-stream STATE message; `recordCount` is the number of records emitted since the previous state of this stream. */
export function streamStateMessage(stream: string, streamState: Record<string, unknown>, recordCount: number): AirbyteMessage {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: { name: stream }, stream_state: streamState },
      sourceStats: { recordCount },
    },
  };
}

export function logMessage(level: LogLevel, message: string, stackTrace?: string): AirbyteMessage {
  return { type: 'LOG', log: stackTrace ? { level, message, stack_trace: stackTrace } : { level, message } };
}

export function specMessage(spec: ConnectorSpecification): AirbyteMessage {
  return { type: 'SPEC', spec };
}

export function connectionStatusMessage(status: 'SUCCEEDED' | 'FAILED', message?: string): AirbyteMessage {
  return { type: 'CONNECTION_STATUS', connectionStatus: message ? { status, message } : { status } };
}

export function catalogMessage(streams: AirbyteStream[]): AirbyteMessage {
  return { type: 'CATALOG', catalog: { streams } };
}

export function streamStatusMessage(stream: string, status: StreamStatus, emittedAt: number): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: { type: 'STREAM_STATUS', emitted_at: emittedAt, stream_status: { stream_descriptor: { name: stream }, status } },
  };
}

export function estimateMessage(stream: string, rowEstimate: number, emittedAt: number): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: { type: 'ESTIMATE', emitted_at: emittedAt, estimate: { name: stream, type: 'STREAM', row_estimate: rowEstimate } },
  };
}

/** Fields of a TRACE ERROR: `message` is for the person fixing it, the rest for engineers. */
export interface ErrorTraceFields {
  message: string;
  failureType: FailureType;
  internalMessage?: string;
  stackTrace?: string;
  stream?: string;
}

export function errorTraceMessage(fields: ErrorTraceFields, emittedAt: number): AirbyteMessage {
  const error: Record<string, unknown> = { message: fields.message, failure_type: fields.failureType };
  if (fields.internalMessage) error.internal_message = fields.internalMessage;
  if (fields.stackTrace) error.stack_trace = fields.stackTrace;
  if (fields.stream) error.stream_descriptor = { name: fields.stream };
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at: emittedAt, error: error as never } };
}

/**
 * Many RECORDs of one stream, as the read loop hands them over: written as one RECORD line each,
 * without building a message object per record (the per-record path of a million-row sync).
 */
export interface RecordBatch {
  type: 'RECORD_BATCH';
  stream: string;
  /**
   * Consumed by writing: the writer empties the list once its lines are out. A page's rows are
   * then garbage at once, whatever still refers to the list (a suspended page walk keeps its
   * last page in its registers while it waits for the next one: with 48 walks waiting, that was
   * 30-odd pages, 150 MB, alive after they were written).
   */
  records: Array<Record<string, unknown>>;
  emittedAt: number;
  /**
   * The stream schema's fields, in order: each record is written with these fields only (those it
   * has), so transport extras (OData annotations, unasked columns) never reach the output.
   */
  fields?: readonly string[];
}

export function recordBatch(stream: string, records: Array<Record<string, unknown>>, emittedAt: number, fields?: readonly string[]): RecordBatch {
  return { type: 'RECORD_BATCH', stream, records, emittedAt: Math.trunc(emittedAt), fields };
}

/** What commands yield: protocol messages, or batches of records. */
export type Output = AirbyteMessage | RecordBatch;
