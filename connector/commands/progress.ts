/**
 * A progress line per stream on stderr, for a person at a terminal: records so far, rate, elapsed.
 * Redrawn in place at most five times a second; silent when stderr is not a terminal (a platform's
 * log), where the LOG messages already tell the story.
 */
export interface ProgressSink {
  write(text: string): unknown;
}

export class Progress {
  private stream = '';
  private started = 0;
  private records = 0;
  private lastDraw = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number,
  ) {}

  start(stream: string): void {
    this.stream = stream;
    this.started = this.now();
    this.records = 0;
    this.lastDraw = 0;
    this.draw();
  }

  add(records: number): void {
    this.records += records;
    if (this.now() - this.lastDraw >= 200) this.draw();
  }

  finish(outcome: 'done' | 'failed'): void {
    if (!this.stream) return;
    this.draw();
    this.sink.write(` ${outcome}\n`);
    this.stream = '';
  }

  private draw(): void {
    const now = this.now();
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = Math.round(this.records / seconds);
    this.sink.write(`\r\x1b[K${this.stream}: ${this.records.toLocaleString('en-US')} records, ${rate.toLocaleString('en-US')}/s, ${seconds.toFixed(1)} s`);
  }
}
