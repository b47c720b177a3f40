import { Box, Text } from 'ink';
import { formatDuration, truncate } from './format.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface ConnectionBannerProps {
  width: number;
}

/** Shown while the monitor cannot read Redis: the panes keep the last snapshot until it returns. */
export function ConnectionBanner({ width }: ConnectionBannerProps) {
  const colors = usePalette();
  const connection = useConsoleStore((state) => state.connection);
  const nowMs = useConsoleStore((state) => state.nowMs);
  if (connection.status !== 'disconnected') return null;

  const text = `Redis unreachable for ${formatDuration(nowMs - connection.sinceMs)} (${connection.error ?? 'no reply'}): panes show the last snapshot; reconnecting`;
  return (
    <Box width={width} height={1}>
      <Text inverse bold color={colors.error} wrap="truncate-end">
        {truncate(` ${text} `, width)}
      </Text>
    </Box>
  );
}
