import { Box, Text } from 'ink';
import { truncate } from './format.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface NoWorkersWarningProps {
  width: number;
  pendingCount: number;
}

/** Shown only when tasks wait and no worker is alive to claim them. */
export function NoWorkersWarning({ width, pendingCount }: NoWorkersWarningProps) {
  const colors = usePalette();
  const paused = useConsoleStore((state) => state.snapshot?.paused ?? false);
  const text = `${pendingCount} task(s) pending and no worker alive: press s to spawn one${paused ? ' (the queue is paused too: p resumes it)' : ''}`;
  return (
    <Box width={width} height={1}>
      <Text color={colors.warn} bold wrap="truncate-end">
        {truncate(`⚠ ${text}`, width)}
      </Text>
    </Box>
  );
}
