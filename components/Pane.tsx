import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate } from './format.js';
import { usePalette } from './store-context.js';

export interface PaneProps {
  /** Shown in the top border. */
  title: string;
  /** Outer width in columns, borders included. */
  width: number;
  /** Outer height in rows, borders included. */
  height: number;
  /** Highlights the border, for the pane that has the selection. */
  active?: boolean;
  children?: ReactNode;
}

/** Renders a bordered box with its title in the top border; content beyond its height is cut off. */
export function Pane({ title, width, height, active = false, children }: PaneProps) {
  const colors = usePalette();
  const label = truncate(` ${title} `, Math.max(0, width - 4));
  const top = `╭─${label}${'─'.repeat(Math.max(0, width - 3 - label.length))}╮`;
  const borderColor = active ? colors.accent : colors.muted;
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text color={borderColor} bold={active} wrap="truncate-end">
        {top}
      </Text>
      <Box borderStyle="round" borderTop={false} borderColor={borderColor} flexDirection="column" width={width} height={height - 1} paddingX={1} overflow="hidden">
        {children}
      </Box>
    </Box>
  );
}
