import { Text } from 'ink';
import { lostCount } from '../engine/index.js';
import { fit, formatCount, formatDuration, truncate } from './format.js';
import { Pane } from './Pane.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface ScoreboardPaneProps {
  width: number;
  height: number;
  /** Three lines instead of one figure a line, for narrow terminals. */
  compact: boolean;
}

/**
 * The proof that no task was lost. Duplicate executions add the acks that
 * found their task requeued under them (lost leases) to the tasks the audit
 * hash saw completed more than once.
 */
export function ScoreboardPane({ width, height, compact }: ScoreboardPaneProps) {
  const colors = usePalette();
  const snapshot = useConsoleStore((state) => state.snapshot);
  const audit = useConsoleStore((state) => state.info.audit);
  const recovery = useConsoleStore((state) => state.lastRecovery);
  const inner = width - 4;
  const title = `Scoreboard · audit ${audit ? 'on' : 'off'}`;
  if (!snapshot) {
    return (
      <Pane title={title} width={width} height={height}>
        <Text color={colors.muted}>waiting for the first snapshot…</Text>
      </Pane>
    );
  }

  const stats = snapshot.stats;
  const lost = lostCount(snapshot);
  const figures: Array<[string, string]> = [
    ['injected', formatCount(stats.enqueued ?? 0)],
    ['completed', formatCount(stats.completed ?? 0)],
    ['duplicates', formatCount((stats.duplicateCompletions ?? 0) + (stats.leaseLost ?? 0))],
    ['in the system', formatCount(snapshot.pendingCount + snapshot.processingCount + snapshot.delayedCount)],
    ['dead-lettered', formatCount(stats.dead ?? 0)],
  ];
  const recoveryText = recovery ? `${formatDuration(recovery.latencyMs)} (${recovery.workerKey.split(':')[0]} ${recovery.cause})` : '–';
  const lostColor = lost === 0 ? colors.ok : colors.error;
  const lostMark = lost === 0 ? ' ✓' : ' ✗';

  if (compact) {
    return (
      <Pane title={title} width={width} height={height}>
        <Text wrap="truncate-end">{truncate(figures.slice(0, 3).map(([label, value]) => `${label} ${value}`).join('  '), inner)}</Text>
        {/* lost comes first on its line: it is the figure that must stay visible when the line is cut. */}
        <Text wrap="truncate-end">
          <Text bold color={lostColor}>{`lost ${formatCount(lost)}${lostMark}`}</Text>
          {'  '}
          {figures.slice(3).map(([label, value]) => `${label} ${value}`).join('  ')}
        </Text>
        <Text wrap="truncate-end">{truncate(`last recovery ${recoveryText}`, inner)}</Text>
      </Pane>
    );
  }

  const labelWidth = 15;
  const valueWidth = Math.max(6, Math.min(12, inner - labelWidth));
  return (
    <Pane title={title} width={width} height={height}>
      {figures.map(([label, value]) => (
        <Text key={label} wrap="truncate-end">
          {fit(label, labelWidth)}
          {fit(value, valueWidth, 'right')}
        </Text>
      ))}
      <Text bold color={lostColor} wrap="truncate-end">
        {fit('lost', labelWidth)}
        {fit(formatCount(lost), valueWidth, 'right')}
        {lostMark}
      </Text>
      <Text wrap="truncate-end">{truncate(`${fit('last recovery', labelWidth)}${recoveryText}`, inner)}</Text>
    </Pane>
  );
}
