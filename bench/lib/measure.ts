/**
 * Runs one measured child process under `/usr/bin/time -v` and returns what the OS says about it
 * (peak RSS, user and system CPU) with the wall time seen from here and what it wrote on stdout.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TIME_BIN = '/usr/bin/time';
const RECORD_PREFIX = Buffer.from('{"type":"RECORD"');
const TAIL_BYTES = 256 * 1024;

/** What to do with the child's stdout. */
export type StdoutMode =
  /** Piped here and discarded, counting RECORD lines and keeping the last 256 KB (for STATE / LOG lines). */
  | 'count'
  /** Straight to /dev/null: nothing to check but the exit code. */
  | 'devnull'
  /** Piped here and kept whole (small outputs: discover, picklist). */
  | 'keep';

export interface RunSpec {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd: string;
  stdout: StdoutMode;
  /** Called with every complete stdout line (not in devnull mode), e.g. to collect record ids. */
  onLine?: (line: string) => void;
  /**
   * Called with every STATE line, in every stdout mode but devnull. Found with Buffer.indexOf,
   * so, unlike onLine, it costs nearly nothing on a million RECORD lines.
   */
  onStateLine?: (line: string) => void;
}

/** Feeds chunks of JSON lines; calls `onState` with each whole line that is a STATE message. */
export function stateLineCollector(onState: (line: string) => void): (chunk: Buffer) => void {
  const mark = Buffer.from('{"type":"STATE"');
  let carry: Buffer | undefined;
  // Whether the next chunk starts a line: a record's data may hold the marker's text too.
  let lineStart = true;
  return (chunk) => {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const startsLine = carry !== undefined || lineStart;
    carry = undefined;
    lineStart = buf.length > 0 && buf[buf.length - 1] === 10;
    for (let at = buf.indexOf(mark); at >= 0; at = buf.indexOf(mark, at + 1)) {
      if (at === 0 ? !startsLine : buf[at - 1] !== 10) continue;
      const end = buf.indexOf(10, at);
      if (end < 0) {
        carry = Buffer.from(buf.subarray(at));
        return;
      }
      onState(buf.toString('utf8', at, end));
    }
    // A line cut inside its first bytes may still be a STATE: keep them for the next chunk.
    const cut = buf.lastIndexOf(10);
    const tail = buf.subarray(cut + 1);
    const tailStartsLine = cut >= 0 || startsLine;
    if (tailStartsLine && tail.length > 0 && tail.length < mark.length && mark.subarray(0, tail.length).equals(tail)) carry = Buffer.from(tail);
  };
}

export interface RunResult {
  label: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  userS: number;
  sysS: number;
  /** Maximum resident set size, bytes (from the kernel via time -v). */
  maxRssBytes: number;
  /** RECORD lines counted (count and keep modes). */
  records: number | undefined;
  /** Whole stdout (keep) or its last bytes (count). */
  stdoutText: string;
  stderr: string;
}

/** Counts occurrences of the RECORD prefix, also across chunk boundaries, without copying chunks. */
class RecordCounter {
  count = 0;
  private carry = Buffer.alloc(0);

  push(chunk: Buffer): void {
    // A prefix split between chunks: look in the junction (last bytes before + first bytes now).
    if (this.carry.length > 0) {
      const junction = Buffer.concat([this.carry, chunk.subarray(0, RECORD_PREFIX.length - 1)]);
      if (junction.indexOf(RECORD_PREFIX) >= 0) this.count++;
    }
    let at = chunk.indexOf(RECORD_PREFIX);
    while (at >= 0) {
      this.count++;
      at = chunk.indexOf(RECORD_PREFIX, at + RECORD_PREFIX.length);
    }
    this.carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (RECORD_PREFIX.length - 1))));
  }
}

/** The last bytes of a stream, kept as a list of chunks (no copying per chunk). */
class Tail {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.chunks.length > 1 && this.length - this.chunks[0].length >= TAIL_BYTES) this.length -= this.chunks.shift()!.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function parseTimeReport(text: string): { maxRssBytes: number; userS: number; sysS: number } {
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    if (!m) throw new Error(`bench: could not find ${re} in the /usr/bin/time -v report:\n${text}`);
    return Number(m[1]);
  };
  return {
    maxRssBytes: num(/Maximum resident set size \(kbytes\):\s*(\d+)/) * 1024,
    userS: num(/User time \(seconds\):\s*([\d.]+)/),
    sysS: num(/System time \(seconds\):\s*([\d.]+)/),
  };
}

export async function measure(spec: RunSpec): Promise<RunResult> {
  const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-time-')), 'time.txt');
  const stdio: ['ignore', 'pipe' | 'ignore', 'pipe'] = ['ignore', spec.stdout === 'devnull' ? 'ignore' : 'pipe', 'pipe'];
  const started = performance.now();
  const child = spawn(TIME_BIN, ['-v', '-o', reportFile, ...spec.args], { cwd: spec.cwd, env: spec.env ?? process.env, stdio });
  const counter = new RecordCounter();
  const kept: Buffer[] = [];
  const tail = new Tail();
  let partial = '';
  const states = spec.onStateLine ? stateLineCollector(spec.onStateLine) : undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    states?.(chunk);
    if (spec.onLine) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) spec.onLine(line);
    }
    if (spec.stdout === 'keep') kept.push(chunk);
    counter.push(chunk);
    if (spec.stdout === 'count') tail.push(chunk);
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 1_000_000) stderr += d;
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallMs = performance.now() - started;
  if (spec.onLine && partial !== '') spec.onLine(partial);
  const report = fs.readFileSync(reportFile, 'utf8');
  fs.rmSync(path.dirname(reportFile), { recursive: true, force: true });
  // time -v prefixes "Command exited with non-zero status N" when the child failed.
  const times = parseTimeReport(report);
  const stdoutText = spec.stdout === 'keep' ? Buffer.concat(kept).toString('utf8') : tail.text();
  return {
    label: spec.label,
    code,
    signal,
    wallMs,
    ...times,
    records: spec.stdout === 'devnull' ? undefined : counter.count,
    stdoutText,
    stderr,
  };
}

/** The JSON lines of a text; a tail's cut first line does not parse and is skipped. */
export function jsonLines(text: string): Array<Record<string, any>> {
  const lines = text.split('\n');
  const out: Array<Record<string, any>> = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, any>);
    } catch {
      // a partial line at a cut
    }
  }
  return out;
}
