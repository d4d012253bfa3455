/**
 * Workload 5 of the latency-bound section (issue 11, acceptance 5): the connector reading
 * workload 1's tables (three entities of 30,000 rows, full refresh, default settings, so
 * partitioned and concurrent) is SIGKILLed at 10 random moments; each killed run is resumed
 * from the last STATE it printed per stream and read to the end.
 *
 * What a platform keeps of a killed run is every record up to each stream's last STATE (records
 * after it are uncommitted and read again). So for each of the 10 pairs: the committed records of
 * the killed run together with every record of the resumed run must hold every row of every
 * table (none lost; a row may come twice, as Airbyte's at-least-once delivery allows), and in
 * both runs each STATE's `recordCount` must equal that stream's records since its previous STATE.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Emulator } from '../integration_tests/emulator';
import { mulberry32 } from '../integration_tests/emulator/random';
import { secs } from './lib/report';
import type { LatencyContext } from './latency';

/** One kill and its resume. */
export interface KillRun {
  /** When the kill came, ms after the start. */
  killAtMs: number;
  /** STATE lines the killed run printed before it died. */
  states: number;
  /** Rows no run delivered (must be 0). */
  lost: number;
  /** Rows delivered twice (uncommitted records read again, or a resumed page). */
  repeated: number;
  /** STATEs whose recordCount differed from the records before them (must be 0). */
  badCounts: number;
  /** The resumed run's exit code (must be 0). */
  resumedCode: number | null;
}

export interface KillResults {
  kills: KillRun[];
  /** Wall time of one whole read of the workload, the range the kill moments are drawn from. */
  fullMs: number;
}

interface RunLines {
  lines: string[];
  code: number | null;
}

/** Runs the CLI, collecting its stdout lines; SIGKILL after `killAtMs` when given. */
function runCli(ctx: LatencyContext, args: string[], killAtMs?: number): Promise<RunLines> {
  return new Promise((resolve, reject) => {
    const child = spawn(ctx.node, [ctx.bin, ...args], { cwd: ctx.root, env: ctx.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    const timer = killAtMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAtMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      // A line cut by the kill is not a message the platform could have read.
      resolve({ lines, code });
    });
  });
}

interface Parsed {
  /** Per stream: ids up to its last STATE (committed), and all ids. */
  committed: Map<string, string[]>;
  all: Map<string, string[]>;
  /** The last STATE message per stream, as printed. */
  lastStates: Map<string, unknown>;
  states: number;
  badCounts: number;
}

/** Reads a run's lines: ids per stream, committed ones, last STATEs, and the recordCount check. */
function parse(lines: readonly string[], keys: Record<string, string>): Parsed {
  const out: Parsed = { committed: new Map(), all: new Map(), lastStates: new Map(), states: 0, badCounts: 0 };
  const since = new Map<string, number>();
  for (const line of lines) {
    if (!line.startsWith('{"type":"RECORD"') && !line.startsWith('{"type":"STATE"')) continue;
    const message = JSON.parse(line) as { type: string; record?: { stream: string; data: Record<string, unknown> }; state?: { stream: { stream_descriptor: { name: string } }; sourceStats?: { recordCount?: number } } };
    if (message.record) {
      const { stream, data } = message.record;
      const ids = out.all.get(stream) ?? [];
      ids.push(String(data[keys[stream]]));
      out.all.set(stream, ids);
      since.set(stream, (since.get(stream) ?? 0) + 1);
    } else if (message.state) {
      const stream = message.state.stream.stream_descriptor.name;
      out.states++;
      if (message.state.sourceStats?.recordCount !== (since.get(stream) ?? 0)) out.badCounts++;
      since.set(stream, 0);
      out.committed.set(stream, [...(out.all.get(stream) ?? [])]);
      out.lastStates.set(stream, message.state);
    }
  }
  return out;
}

/** The 10 kill moments: spread over the read (so early, middle and late kills all occur), jittered. */
function killMoments(fullMs: number, count: number, random: () => number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(((i + 0.2 + 0.6 * random()) / count) * fullMs));
}


/**
 * Runs workload 5. `define` gives the tables their rows afresh (the same rows every time);
 * `files` are workload 1's config and catalog.
 */
export async function killResumeBench(ctx: LatencyContext, emu: Emulator, define: () => void, files: { config: string; catalog: string }, keys: Record<string, string>, fullMs: number): Promise<KillResults> {
  // Seeded, so a run's kill moments can be told again.
  const random = mulberry32(20261201);
  const results: KillResults = { kills: [], fullMs };
  const read = ['read', '--config', files.config, '--catalog', files.catalog];
  for (const [i, killAtMs] of killMoments(fullMs, 10, random).entries()) {
    define();
    const killed = parse((await runCli(ctx, read, killAtMs)).lines, keys);
    const stateFile = path.join(ctx.dir, `kill-${i}-state.json`);
    // Airbyte's state file: the STATE messages' `state` objects, one per stream.
    fs.writeFileSync(stateFile, JSON.stringify([...killed.lastStates.values()]));
    const resumedRun = await runCli(ctx, killed.lastStates.size > 0 ? [...read, '--state', stateFile] : read);
    const resumed = parse(resumedRun.lines, keys);
    let lost = 0;
    let repeated = 0;
    for (const stream of Object.keys(keys)) {
      const delivered = [...(killed.committed.get(stream) ?? []), ...(resumed.all.get(stream) ?? [])];
      const seen = new Set(delivered);
      repeated += delivered.length - seen.size;
      const n = emu.tables.count(stream);
      for (let k = 0; k < n; k++) if (!seen.has(emu.tables.idAt(stream, k))) lost++;
    }
    const run: KillRun = { killAtMs, states: killed.states, lost, repeated, badCounts: killed.badCounts + resumed.badCounts, resumedCode: resumedRun.code };
    results.kills.push(run);
    ctx.say(`  latency 5 kill ${i + 1} at ${secs(killAtMs)} s: ${run.states} STATEs before it; resumed: exit ${run.resumedCode}, ${lost} rows lost, ${repeated} read twice, ${run.badCounts} wrong recordCounts`);
    if (lost > 0 || run.badCounts > 0 || run.resumedCode !== 0) ctx.fail(`latency workload 5, kill ${i + 1} at ${killAtMs} ms: ${lost} rows lost, ${run.badCounts} wrong recordCounts, resumed exit ${run.resumedCode}`);
  }
  return results;
}
