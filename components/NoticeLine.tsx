import { Box, Text } from 'ink';
import { truncate } from './format.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface NoticeLineProps {
  width: number;
}

/** Shows the outcome of the last key, such as why a worker cannot be signalled. */
export function NoticeLine({ width }: NoticeLineProps) {
  const colors = usePalette();
  const notice = useConsoleStore((state) => state.notice);
  if (!notice) return null;
  const levelColors = { info: colors.accent, warn: colors.warn, error: colors.error };
  const color = levelColors[notice.level];
  return (
    <Box width={width} height={1}>
      <Text color={color} wrap="truncate-end">
        {truncate(notice.text, width)}
      </Text>
    </Box>
  );
}
