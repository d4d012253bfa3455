/**
 * Progress on stderr, for a person at a terminal: one line per active stream (streams read
 * concurrently each have theirs) with records so far, the total when the stream has an estimate,
 * rate, elapsed and, with a total, the time left. Redrawn in place at most five times a second;
 * a finished stream's line stays above the live ones with its outcome. Silent when stderr is not
 * a terminal (a platform's log), where the LOG messages already tell the story.
 */
export interface ProgressSink {
  write(text: string): unknown;
}

interface Line {
  stream: string;
  started: number;
  records: number;
  total?: number;
}

/** Cursor up `n` lines (ANSI CUU). */
const up = (n: number) => (n > 0 ? `\x1b[${n}A` : '');

export class Progress {
  private readonly active: Line[] = [];
  /** Live lines on screen; the cursor sits at the end of the last. */
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number,
  ) {}

  /** A stream starts; `total` is its estimated row count, when known. */
  start(stream: string, total?: number): void {
    this.active.push({ stream, started: this.now(), records: 0, ...(total !== undefined && total > 0 ? { total } : {}) });
    this.draw();
  }

  /** Records of `stream` (default: the stream started last) were written. */
  add(records: number, stream?: string): void {
    const line = this.find(stream);
    if (!line) return;
    line.records += records;
    if (this.now() - this.lastDraw >= 200) this.draw();
  }

  /** `stream` (default: the stream started last) ended; its line stays with the outcome. */
  finish(outcome: 'done' | 'failed', stream?: string): void {
    const line = this.find(stream);
    if (!line) return;
    if (this.active.length === 1) {
      // The common case, one stream at a time: end its line where it is.
      this.draw();
      this.sink.write(` ${outcome}\n`);
      this.active.length = 0;
      this.drawn = 0;
      return;
    }
    this.active.splice(this.active.indexOf(line), 1);
    const now = this.now();
    this.lastDraw = now;
    const kept = `\r\x1b[K${describe(line, now)} ${outcome}\n`;
    this.sink.write(`${up(this.drawn - 1)}${kept}${this.lines(now)}\x1b[J`);
    this.drawn = this.active.length;
  }

  private find(stream: string | undefined): Line | undefined {
    if (stream === undefined) return this.active[this.active.length - 1];
    return this.active.find((l) => l.stream === stream);
  }

  private draw(): void {
    const now = this.now();
    this.lastDraw = now;
    this.sink.write(`${up(this.drawn - 1)}${this.lines(now)}`);
    this.drawn = this.active.length;
  }

  private lines(now: number): string {
    return this.active.map((line) => `\r\x1b[K${describe(line, now)}`).join('\n');
  }
}

function describe(line: Line, now: number): string {
  const seconds = Math.max((now - line.started) / 1000, 0.001);
  const rate = Math.round(line.records / seconds);
  const count = line.total === undefined ? `${line.records.toLocaleString('en-US')} records` : `${line.records.toLocaleString('en-US')} of ${line.total.toLocaleString('en-US')} records`;
  const text = `${line.stream}: ${count}, ${rate.toLocaleString('en-US')}/s, ${seconds.toFixed(1)} s`;
  if (line.total === undefined) return text;
  return `${text}, ${eta(line, rate)}`;
}

/** The time left at the current rate: none before the first records; "ETA 0 s" once the estimate is passed. */
function eta(line: Line, rate: number): string {
  if (line.records === 0 || rate === 0) return 'ETA -';
  const left = Math.max(0, (line.total as number) - line.records) / rate;
  return left < 60 ? `ETA ${Math.ceil(left)} s` : `ETA ${Math.floor(left / 60)} min ${Math.ceil(left % 60)} s`;
}
