/**
 * Progress: the engine reports events; how they are shown is the caller's choice. The CLI shows a
 * redrawn bar with rows/s and ETA on a terminal, and plain lines (rate-limited) otherwise.
 */
export interface MigrationProgress {
  readonly operation: string;
  readonly table: string;
  readonly jobId: string;
  /** Rows looked at, including earlier (resumed) runs of the same job. */
  readonly processed: number;
  /** Rows rewritten, including earlier runs. */
  readonly changed: number;
  /** Rows the job covers (estimate taken at start; grows if rows are inserted meanwhile). */
  readonly total: number;
  /** Over this run only. */
  readonly rowsPerSecond: number;
  /** Seconds left at the current rate; undefined until there is a rate. */
  readonly etaSeconds: number | undefined;
  readonly done: boolean;
}

export type ProgressCallback = (p: MigrationProgress) => void;

const fmtDuration = (s: number | undefined): string => {
  if (s === undefined || !Number.isFinite(s)) return '--:--';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

export const formatProgressLine = (p: MigrationProgress): string => {
  const pct = p.total > 0 ? Math.min(100, Math.floor((p.processed / p.total) * 100)) : 100;
  return `${p.operation} ${p.table}: ${p.processed}/${p.total} rows (${pct}%), ${p.changed} changed, ${Math.round(
    p.rowsPerSecond,
  )} rows/s, ETA ${fmtDuration(p.etaSeconds)}${p.done ? ', done' : ''}`;
};

export const formatProgressBar = (p: MigrationProgress, width = 30): string => {
  const frac = p.total > 0 ? Math.min(1, p.processed / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return `[${bar}] ${Math.floor(frac * 100)
    .toString()
    .padStart(3)}% ${p.processed}/${p.total} ${Math.round(p.rowsPerSecond)} rows/s ETA ${fmtDuration(p.etaSeconds)}`;
};

export interface ProgressSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** A progress callback that draws to a stream (stderr in the CLI, so stdout stays machine-readable). */
export const progressReporter = (stream: ProgressSink, options: { intervalMs?: number } = {}): ProgressCallback => {
  const interval = options.intervalMs ?? (stream.isTTY ? 100 : 2_000);
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!p.done && now - last < interval) return;
    last = now;
    if (stream.isTTY) {
      stream.write(`\r\u001b[2K${formatProgressBar(p)}${p.done ? '\n' : ''}`);
    } else {
      stream.write(`${formatProgressLine(p)}\n`);
    }
  };
};
