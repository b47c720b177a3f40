import { Text } from 'ink';
import type { WorkerRow, WorkerRowState } from '../src/worker-rows.js';
import { fit, formatCount, formatDuration, truncate } from './format.js';
import { Pane } from './Pane.js';
import { useConsoleStore, usePalette } from './store-context.js';
import type { Palette } from './theme.js';

export interface WorkersPaneProps {
  width: number;
  height: number;
}

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
  cell(row: WorkerRow): string;
}

/** One row per worker incarnation; a dead one stays, dimmed, until the master requeues its tasks. */
export function WorkersPane({ width, height }: WorkersPaneProps) {
  const colors = usePalette();
  const rows = useConsoleStore((state) => state.workerRows);
  const selectedKey = useConsoleStore((state) => state.selectedWorkerKey);
  const focused = useConsoleStore((state) => state.focus === 'workers');
  const inner = width - 4;
  const visibleCount = Math.max(1, height - 3);
  const columns = chooseColumns(inner);

  const selectedIndex = Math.max(0, rows.findIndex((row) => row.key === selectedKey));
  const first = Math.min(Math.max(0, selectedIndex - visibleCount + 1), Math.max(0, rows.length - visibleCount));
  const shown = rows.slice(first, first + visibleCount);
  const range = rows.length > visibleCount ? `, ${first + 1}-${first + shown.length} shown` : '';
  const spawnedCount = rows.filter((row) => row.spawned).length;
  const title = `Workers (${rows.length}${range}) · * spawned here: ${spawnedCount}`;

  return (
    <Pane title={title} width={width} height={height} active={focused}>
      <Text bold wrap="truncate-end">{truncate(`   ${columns.map((column) => fit(column.title, column.width, column.align)).join(' ')}`, inner)}</Text>
      {rows.length === 0 ? <Text color={colors.muted}>no workers registered: press s to spawn one</Text> : null}
      {shown.map((row) => {
        const selected = focused && row.key === selectedKey;
        const marker = `${row.key === selectedKey ? '›' : ' '}${row.spawned ? '*' : ' '} `;
        return (
          <Text key={row.key} inverse={selected} dimColor={row.state === 'dead'} wrap="truncate-end">
            {marker}
            {columns.map((column, index) => (
              <Text key={column.title} color={column.title === 'STATE' ? stateColor(row.state, colors) : undefined}>
                {(index > 0 ? ' ' : '') + fit(column.cell(row), column.width, column.align)}
              </Text>
            ))}
          </Text>
        );
      })}
    </Pane>
  );
}

const nameColumn: Column = { title: 'NAME', width: 15, align: 'left', cell: (row) => (row.incarnation ? `${row.name}·${row.incarnation.slice(0, 6)}` : row.name) };
const pidColumn: Column = { title: 'PID@HOST', width: 18, align: 'left', cell: (row) => `${row.pid ?? '?'}${row.host ? `@${row.host}` : ''}` };
const stateColumn: Column = { title: 'STATE', width: 9, align: 'left', cell: (row) => row.state };
const heartbeatColumn: Column = { title: 'HEARTBEAT', width: 11, align: 'left', cell: heartbeatText };
const tasksColumn: Column = { title: 'TASKS', width: 12, align: 'left', cell: tasksText };
const doneColumn: Column = { title: 'DONE', width: 7, align: 'right', cell: (row) => formatCount(row.completedCount) };

/** Drops the host, then the heartbeat, on narrow panes. */
function chooseColumns(innerWidth: number): Column[] {
  if (innerWidth >= 80) return [nameColumn, pidColumn, stateColumn, heartbeatColumn, tasksColumn, doneColumn];
  if (innerWidth >= 62) return [nameColumn, stateColumn, heartbeatColumn, tasksColumn, doneColumn];
  return [nameColumn, stateColumn, tasksColumn, doneColumn];
}

/** Age of the last heartbeat against the TTL that declares the worker dead. */
function heartbeatText(row: WorkerRow): string {
  if (row.heartbeatAgeMs === undefined) return row.state === 'starting' ? '–' : 'expired';
  return `${formatDuration(row.heartbeatAgeMs)}/${formatDuration(row.heartbeatTtlMs ?? 0)}`;
}

function tasksText(row: WorkerRow): string {
  if (row.processingCount === 0) return '0';
  return row.longestRunningMs === undefined ? String(row.processingCount) : `${row.processingCount} for ${formatDuration(row.longestRunningMs)}`;
}

function stateColor(state: WorkerRowState, colors: Palette): string | undefined {
  switch (state) {
    case 'alive':
      return colors.ok;
    case 'stale':
    case 'stopping':
      return colors.warn;
    case 'dead':
      return colors.error;
    case 'frozen':
      return colors.accent;
    default:
      return colors.muted;
  }
}
