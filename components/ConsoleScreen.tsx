import { Box, Text } from 'ink';
import { noticeLifetimeMs } from '../src/store.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { planLayout } from './layout.js';
import { OverlayBody } from './OverlayBody.js';
import { PaneGrid } from './PaneGrid.js';
import { NoticeLine } from './NoticeLine.js';
import { NoWorkersWarning } from './NoWorkersWarning.js';
import { StoppingPane } from './StoppingPane.js';
import { useConsoleStore } from './store-context.js';

export interface ConsoleScreenProps {
  /** Columns to fill. */
  width: number;
  /** Rows to fill; the frame is never taller. */
  height: number;
}

/** Renders the whole screen for one window size: header, banners, panes or an overlay, notice and footer. */
export function ConsoleScreen({ width, height }: ConsoleScreenProps) {
  const disconnected = useConsoleStore((state) => state.connection.status === 'disconnected');
  const pendingCount = useConsoleStore((state) => state.snapshot?.pendingCount ?? 0);
  const hasAliveWorker = useConsoleStore((state) => state.workerRows.some((row) => row.state === 'alive' || row.state === 'stale'));
  const workerRowCount = useConsoleStore((state) => state.workerRows.length);
  const noticeVisible = useConsoleStore((state) => state.notice !== undefined && state.nowMs - state.notice.atMs < noticeLifetimeMs);
  const overlay = useConsoleStore((state) => state.overlay);
  const stopping = useConsoleStore((state) => state.stopping);

  const showNoWorkers = pendingCount > 0 && !hasAliveWorker && !stopping;
  const bannerLines = (disconnected ? 1 : 0) + (showNoWorkers ? 1 : 0);
  const plan = planLayout(width, height, { workerRowCount, bannerLines, noticeLines: noticeVisible ? 1 : 0 });
  const bodyHeight = Math.max(0, height - 2 - bannerLines - (noticeVisible ? 1 : 0));

  if (plan.tooSmall) {
    return (
      <Box width={width} height={Math.max(1, Math.min(height, 3))} flexDirection="column" overflow="hidden">
        <Text wrap="wrap">{`Window too small (${width}x${height + 1}): dtq-console needs at least 40 columns and about 24 rows. Enlarge it, or press q to quit.`}</Text>
      </Box>
    );
  }

  return (
    <Box width={width} height={height} flexDirection="column" overflow="hidden">
      <Header width={width} />
      {disconnected ? <ConnectionBanner width={width} /> : null}
      {showNoWorkers ? <NoWorkersWarning width={width} pendingCount={pendingCount} /> : null}
      <Box height={bodyHeight} flexDirection="column" overflow="hidden">
        {stopping ? <StoppingPane width={Math.min(width, 90)} message={stopping} /> : overlay ? <OverlayBody width={width} height={bodyHeight} /> : <PaneGrid width={width} plan={plan} />}
      </Box>
      {noticeVisible ? <NoticeLine width={width} /> : null}
      <Footer width={width} />
    </Box>
  );
}
