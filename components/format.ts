/** Text helpers shared by the panes. Every function is pure, so snapshots stay stable. */

/** Formats a duration in the shortest readable unit: 420ms, 4.2s, 42s, 3m05s, 2h03m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Formats a count with thousands separators. */
export function formatCount(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US');
}

/** Cuts `text` to `width` columns, ending in an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}

/** Pads or cuts `text` to exactly `width` columns. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width);
}

/** Formats the wall-clock time of day, HH:MM:SS, in the local time zone. */
export function formatClock(atMs: number): string {
  const date = new Date(atMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

const sparkLevels = '▁▂▃▄▅▆▇█';

/** Draws the last `width` values as one bar each, scaled to the largest; zero is the lowest bar. */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(Math.max(0, values.length - width));
  const max = Math.max(0, ...shown);
  return shown
    .map((value) => (max <= 0 ? sparkLevels[0] : sparkLevels[Math.min(sparkLevels.length - 1, Math.floor((value / max) * (sparkLevels.length - 1)))]))
    .join('');
}

/** Returns the task name, id and payload of an envelope, or the raw text when it does not decode. */
export function describeEnvelope(raw: string): { name: string; id: string; payload: string } {
  try {
    const envelope = JSON.parse(raw) as { id?: unknown; name?: unknown; payload?: unknown };
    if (typeof envelope.id === 'string' && typeof envelope.name === 'string') {
      return { name: envelope.name, id: envelope.id, payload: JSON.stringify(envelope.payload ?? null) };
    }
  } catch {
    // Not JSON: shown as it is, the way a worker would dead-letter it.
  }
  return { name: '(invalid)', id: '', payload: raw };
}

/** Returns the enqueue time of an envelope, if it has one. */
export function envelopeEnqueuedAt(raw: string): number | undefined {
  try {
    const value = (JSON.parse(raw) as { enqueuedAt?: unknown }).enqueuedAt;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
