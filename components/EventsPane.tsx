import { Text } from 'ink';
import { formatClock, truncate } from './format.js';
import { Pane } from './Pane.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface EventsPaneProps {
  width: number;
  height: number;
}

const levelMarks = { info: ' ', warn: '!', error: '✗' } as const;

/** Renders the newest events that fit, oldest at the top, from the store's ring buffer. */
export function EventsPane({ width, height }: EventsPaneProps) {
  const colors = usePalette();
  const events = useConsoleStore((state) => state.events);
  const inner = width - 4;
  const shown = events.slice(Math.max(0, events.length - Math.max(0, height - 2)));
  const levelColors = { info: undefined, warn: colors.warn, error: colors.error };
  return (
    <Pane title={`Events (${events.length})`} width={width} height={height}>
      {shown.length === 0 ? <Text color={colors.muted}>no events yet: recoveries, deaths, dead letters and lease losses show here</Text> : null}
      {shown.map((event) => (
        <Text key={event.id} color={levelColors[event.level]} wrap="truncate-end">
          {truncate(`${formatClock(event.atMs)} ${levelMarks[event.level]} ${event.text}`, inner)}
        </Text>
      ))}
    </Pane>
  );
}
