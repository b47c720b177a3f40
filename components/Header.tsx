import { Box, Text } from 'ink';
import { formatDuration } from './format.js';
import { useConsoleStore, usePalette } from './store-context.js';

export interface HeaderProps {
  width: number;
}

/** Renders one line: queue, this master's role, Redis connection state, uptime and Redis address (password hidden), the long address last so narrow windows cut it first. */
export function Header({ width }: HeaderProps) {
  const colors = usePalette();
  const info = useConsoleStore((state) => state.info);
  const role = useConsoleStore((state) => state.role);
  const connection = useConsoleStore((state) => state.connection.status);
  const paused = useConsoleStore((state) => state.snapshot?.paused ?? false);
  const chaos = useConsoleStore((state) => state.chaos);
  const uptimeMs = useConsoleStore((state) => state.nowMs - state.info.startedAtMs);

  const roleColor = role === 'leader' ? colors.ok : colors.warn;
  let connectionColor = colors.error;
  if (connection === 'connected') connectionColor = colors.ok;
  if (connection === 'connecting') connectionColor = colors.warn;
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold color={colors.accent}>dtq-console</Text>
        {` · ${info.queue} · `}
        <Text color={roleColor}>{role ?? 'starting'}</Text>
        {' · redis '}
        <Text color={connectionColor}>{connection}</Text>
        {` · up ${formatDuration(uptimeMs)}`}
        {paused ? <Text color={colors.warn} bold>{' · PAUSED'}</Text> : null}
        {chaos.enabled ? <Text color={colors.error} bold>{` · CHAOS every ${chaos.intervalMs / 1000}s`}</Text> : null}
        {` · ${info.redisDisplay}${info.embedded && !info.redisDisplay.includes('embedded') ? ' (embedded)' : ''}`}
      </Text>
    </Box>
  );
}
