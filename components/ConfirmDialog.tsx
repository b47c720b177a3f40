import { Box, Text } from 'ink';
import { Pane } from './Pane.js';
import { usePalette } from './store-context.js';

export interface ConfirmDialogProps {
  width: number;
  title: string;
  message: string;
  /** The highlighted choice, No when the dialog opens. */
  choice: 'yes' | 'no';
}

/** Renders a yes/no question whose default is No. */
export function ConfirmDialog({ width, title, message, choice }: ConfirmDialogProps) {
  const colors = usePalette();
  const lineCount = Math.ceil(message.length / Math.max(1, width - 4));
  return (
    <Pane title={title} width={width} height={lineCount + 5} active>
      <Text wrap="wrap">{message}</Text>
      <Text> </Text>
      <Box>
        <Text inverse={choice === 'no'} bold={choice === 'no'}>{' No '}</Text>
        <Text>{'  '}</Text>
        <Text inverse={choice === 'yes'} bold={choice === 'yes'} color={choice === 'yes' ? colors.error : undefined}>{' Yes '}</Text>
        <Text color={colors.muted}>{'   y / n, Enter answers the highlighted one'}</Text>
      </Box>
    </Pane>
  );
}
