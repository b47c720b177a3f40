import { Text } from 'ink';
import { Pane } from './Pane.js';
import { usePalette } from './store-context.js';

export interface StoppingPaneProps {
  width: number;
  message: string;
}

/** Shown while the console stops its children, the master and an embedded Redis. */
export function StoppingPane({ width, message }: StoppingPaneProps) {
  const colors = usePalette();
  return (
    <Pane title="Quitting" width={width} height={4} active>
      <Text wrap="truncate-end">{message}</Text>
      <Text color={colors.muted} wrap="truncate-end">Ctrl+C again stops the workers with SIGKILL and exits at once</Text>
    </Pane>
  );
}
