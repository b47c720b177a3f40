import { Text } from 'ink';
import { describeEnvelope, envelopeEnqueuedAt, fit, formatCount, formatDuration, sparkline, truncate } from './format.js';
import { Pane } from './Pane.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface QueuePaneProps {
  width: number;
  height: number;
  /** Envelopes of the head of pending to list. */
  headLines: number;
}

/** Counts, age of the next task to be claimed, throughput over the last minute and the head of pending. */
export function QueuePane({ width, height, headLines }: QueuePaneProps) {
  const colors = usePalette();
  const snapshot = useConsoleStore((state) => state.snapshot);
  const throughput = useConsoleStore((state) => state.throughput);
  const nowMs = useConsoleStore((state) => state.nowMs);
  const focused = useConsoleStore((state) => state.focus === 'pending');
  const selectedIndex = useConsoleStore((state) => state.selectedPendingIndex);
  const inner = width - 4;

  if (!snapshot) {
    return (
      <Pane title="Queue" width={width} height={height}>
        <Text color={colors.muted}>waiting for the first snapshot…</Text>
      </Pane>
    );
  }

  // At least two spaces after each cell, so narrow panes never glue a value to the next label.
  const cell = (label: string, value: string) => `${label} ${value}  `.padEnd(Math.floor(inner / 3));
  const oldestAt = snapshot.pendingHead[0] === undefined ? undefined : envelopeEnqueuedAt(snapshot.pendingHead[0]);
  const oldest = oldestAt === undefined ? '–' : formatDuration(Math.max(0, nowMs - oldestAt));
  const rate = throughput.length > 0 ? (throughput[throughput.length - 1] ?? 0).toFixed(1) : '–';
  const rateLabel = `${rate}/s `;
  const head = snapshot.pendingHead.slice(0, headLines);
  return (
    <Pane title={`Queue${snapshot.paused ? ' (paused)' : ''}`} width={width} height={height} active={focused}>
      <Text wrap="truncate-end">{truncate(cell('pending', formatCount(snapshot.pendingCount)) + cell('processing', formatCount(snapshot.processingCount)) + cell('delayed', formatCount(snapshot.delayedCount)), inner)}</Text>
      <Text wrap="truncate-end">{truncate(cell('dead', formatCount(snapshot.deadCount)) + cell('completed', formatCount(snapshot.stats.completed ?? 0)) + cell('head age', oldest), inner)}</Text>
      <Text wrap="truncate-end">
        {'completed/s '}
        {rateLabel}
        <Text color={colors.accent}>{sparkline(throughput, Math.max(0, inner - 12 - rateLabel.length))}</Text>
      </Text>
      {head.length === 0 ? <Text color={colors.muted}>pending is empty</Text> : null}
      {head.map((raw, index) => (
        <Text key={index} inverse={focused && index === selectedIndex} wrap="truncate-end">
          {headLine(raw, index, inner)}
        </Text>
      ))}
    </Pane>
  );
}

/** "next sleep 01J… {"ms":500}": the first line is the task claimed next. */
function headLine(raw: string, index: number, width: number): string {
  const envelope = describeEnvelope(raw);
  const prefix = index === 0 ? 'next ' : '     ';
  const idWidth = Math.min(26, Math.max(8, Math.floor(width / 3)));
  return fit(`${prefix}${fit(envelope.name, 12)} ${fit(envelope.id, idWidth)} ${envelope.payload}`, width);
}
