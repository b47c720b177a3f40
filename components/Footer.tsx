import { Box, Text } from 'ink';
import { keyBindings } from '../src/key-bindings.js';
import { truncate } from './format.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface FooterProps {
  width: number;
}

/** Key hints from the key registry, as many as fit; inside a dialog, the dialog's own keys. */
export function Footer({ width }: FooterProps) {
  const colors = usePalette();
  const overlay = useConsoleStore((state) => state.overlay?.kind);
  const stopping = useConsoleStore((state) => state.stopping !== undefined);

  let hints = mainHints;
  if (overlay) hints = overlayHints[overlay] ?? [];
  if (stopping) hints = ['Ctrl+C force quit'];
  // Help and quit always show: the rest are dropped from the end until the line fits.
  const reserved = stopping || overlay ? [] : alwaysShown;
  const parts: string[] = [];
  let used = reserved.reduce((sum, hint) => sum + hint.length + 2, 0);
  for (const hint of hints) {
    if (used + hint.length + 2 > width) break;
    parts.push(hint);
    used += hint.length + 2;
  }
  parts.push(...reserved);
  return (
    <Box width={width} height={1}>
      <Text color={colors.muted} wrap="truncate-end">
        {truncate(parts.join('  '), width)}
      </Text>
    </Box>
  );
}

const hintOf = (command: string) => keyBindings.filter((binding) => binding.command === command && binding.hint).map((binding) => `${binding.keys.join('/')} ${binding.hint}`);

const alwaysShown = [...hintOf('help'), ...hintOf('quit')];

const mainHints = [
  '↑↓/jk select',
  ...keyBindings.filter((binding) => binding.hint && binding.command !== 'help' && binding.command !== 'quit').map((binding) => `${binding.keys.join('/')} ${binding.hint}`),
];

const overlayHints: Record<string, string[]> = {
  help: ['Esc/?/q close'],
  inject: ['Tab/↑↓ field', 'Enter inject', 'Esc cancel'],
  confirm: ['y yes', 'n/Esc no', '←→ choose', 'Enter answer (default No)'],
  workerDetail: ['Esc/Enter/q close'],
  taskDetail: ['Esc/Enter/q close'],
};
