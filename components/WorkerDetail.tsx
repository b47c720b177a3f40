import { Text } from 'ink';
import type { WorkerRow } from '../src/worker-rows.js';
import { describeEnvelope, formatClock, formatCount, formatDuration, truncate } from './format.js';
import { Pane } from './Pane.js';
import { usePalette } from './store-context.js';

export interface WorkerDetailProps {
  width: number;
  height: number;
  /** The live row, or undefined once the worker left the registry. */
  row: WorkerRow | undefined;
  workerKey: string;
  nowMs: number;
}

/** Everything the console knows about one worker incarnation, updated every tick. */
export function WorkerDetail({ width, height, row, workerKey, nowMs }: WorkerDetailProps) {
  const colors = usePalette();
  const inner = width - 4;
  if (!row) {
    return (
      <Pane title={`Worker ${workerKey}`} width={width} height={Math.min(height, 4)} active>
        <Text color={colors.muted} wrap="truncate-end">{truncate(`${workerKey} left the registry: the master requeued its tasks, or it stopped. Esc closes.`, inner)}</Text>
      </Pane>
    );
  }

  const lines = [
    `worker key   ${row.key}`,
    `process      pid ${row.pid ?? '?'} on ${row.host ?? 'this host'}${row.spawned ? ', spawned by this console' : ', not spawned by this console (cannot be signalled here)'}`,
    `state        ${row.state}${row.exit ? ` (${row.exit})` : ''}`,
    `heartbeat    ${row.heartbeatAgeMs === undefined ? 'expired or not written yet' : `${formatDuration(row.heartbeatAgeMs)} ago, TTL ${formatDuration(row.heartbeatTtlMs ?? 0)}`}`,
    `completed    ${formatCount(row.completedCount)}`,
    `processing   ${row.processingCount} task(s)`,
    ...row.running.map((task) => `  running    ${task.name} ${task.id} for ${formatDuration(nowMs - task.startedAtMs)} (since ${formatClock(task.startedAtMs)})`),
    ...row.processing.map((raw) => {
      const envelope = describeEnvelope(raw);
      return `  held       ${envelope.name} ${envelope.id} ${envelope.payload}`;
    }),
    ...(row.logPath ? [`log          ${row.logPath}`] : []),
  ];
  const shown = lines.slice(0, Math.max(1, height - 2));
  return (
    <Pane title={`Worker ${row.name}`} width={width} height={Math.min(height, shown.length + 2)} active>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {truncate(line, inner)}
        </Text>
      ))}
    </Pane>
  );
}
