import { Box } from 'ink';
import { EventsPane } from './EventsPane.js';
import type { LayoutPlan } from './layout.js';
import { QueuePane } from './QueuePane.js';
import { ScoreboardPane } from './ScoreboardPane.js';
import { WorkersPane } from './WorkersPane.js';

export interface PaneGridProps {
  width: number;
  plan: LayoutPlan;
}

/** The four panes in the heights of the plan: queue and scoreboard side by side when wide, stacked when narrow. */
export function PaneGrid({ width, plan }: PaneGridProps) {
  const queueWidth = plan.wide ? Math.floor(width * 0.62) : width;
  return (
    <>
      {plan.wide ? (
        <Box>
          <QueuePane width={queueWidth} height={plan.queueHeight} headLines={plan.headLines} />
          <ScoreboardPane width={width - queueWidth} height={plan.scoreboardHeight} compact={false} />
        </Box>
      ) : (
        <>
          <QueuePane width={width} height={plan.queueHeight} headLines={plan.headLines} />
          <ScoreboardPane width={width} height={plan.scoreboardHeight} compact />
        </>
      )}
      <WorkersPane width={width} height={plan.workersHeight} />
      {plan.eventsHeight > 0 ? <EventsPane width={width} height={plan.eventsHeight} /> : null}
    </>
  );
}

