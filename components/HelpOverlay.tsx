import { Text } from 'ink';
import { keyBindings, keyGroups } from '../src/key-bindings.js';
import { fit, truncate } from './format.js';
import { Pane } from './Pane.js';
import { usePalette } from './store-context.js';

export interface HelpOverlayProps {
  width: number;
  height: number;
}

interface HelpLine {
  text: string;
  heading?: boolean;
}

/** Lists every key of the registry by group, the worker states and the figures of the scoreboard. */
export function HelpOverlay({ width, height }: HelpOverlayProps) {
  const colors = usePalette();
  const inner = width - 4;
  const room = Math.max(1, height - 2);
  const lines = helpLines();
  const shown = lines.length > room ? [...lines.slice(0, room - 1), { text: `… ${lines.length - room + 1} more line(s): enlarge the window` }] : lines;
  return (
    <Pane title="Help · Esc closes" width={width} height={height} active>
      {shown.map((line, index) => (
        <Text key={index} bold={line.heading} color={line.heading ? colors.accent : undefined} wrap="truncate-end">
          {truncate(line.text, inner)}
        </Text>
      ))}
    </Pane>
  );
}

function helpLines(): HelpLine[] {
  const lines: HelpLine[] = [];
  for (const group of keyGroups) {
    lines.push({ text: group, heading: true });
    for (const binding of keyBindings.filter((candidate) => candidate.group === group)) {
      lines.push({ text: `  ${fit(binding.keys.join(' '), 8)} ${binding.description}` });
    }
  }
  lines.push(
    { text: 'Why K kills', heading: true },
    { text: '  k moves up as in vim-style tools, so a navigation habit never kills a worker.' },
    { text: '  SIGKILL is the capital K. Only workers marked * (spawned here) can be signalled.' },
    { text: '  Every question answers No on Enter unless you move to Yes.' },
    { text: 'Worker states', heading: true },
    { text: '  alive: heartbeat fresh · stale: no heartbeat for over half its TTL · frozen: SIGSTOP' },
    { text: '  dead: process gone or TTL expired, dimmed until the master requeues its tasks' },
    { text: '  stopping: SIGTERM sent · starting: spawned, not registered yet' },
    { text: 'Scoreboard', heading: true },
    { text: '  duplicates: completions the audit saw twice, plus acks that found their task requeued' },
    { text: '  lost: injected minus pending, processing, delayed, dead-lettered and completed: must be 0' },
  );
  return lines;
}
