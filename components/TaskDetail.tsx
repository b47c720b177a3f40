import { Text } from 'ink';
import { truncate } from './format.js';
import { Pane } from './Pane.js';

export interface TaskDetailProps {
  width: number;
  height: number;
  /** The envelope exactly as stored in pending. */
  envelope: string;
}

/** One pending envelope, pretty-printed when it is JSON. */
export function TaskDetail({ width, height, envelope }: TaskDetailProps) {
  const inner = width - 4;
  const lines = prettyLines(envelope);
  const room = Math.max(1, height - 2);
  const shown = lines.length > room ? [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more line(s)`] : lines;
  return (
    <Pane title="Pending task" width={width} height={Math.min(height, shown.length + 2)} active>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {truncate(line, inner)}
        </Text>
      ))}
    </Pane>
  );
}

function prettyLines(envelope: string): string[] {
  try {
    return JSON.stringify(JSON.parse(envelope), null, 2).split('\n');
  } catch {
    return ['not valid JSON: a worker will dead-letter it', envelope];
  }
}
