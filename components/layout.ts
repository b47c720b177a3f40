/** Heights of the panes for one terminal size, so that no frame is taller than the window. */
export interface LayoutPlan {
  /** The window cannot hold the panes; only a message is shown. */
  tooSmall: boolean;
  /** Queue and scoreboard side by side (wide) or stacked with a compact scoreboard. */
  wide: boolean;
  /** Envelopes of the head of pending the queue pane lists. */
  headLines: number;
  queueHeight: number;
  scoreboardHeight: number;
  workersHeight: number;
  /** 0 hides the events pane. */
  eventsHeight: number;
}

/** What the plan depends on besides the window size. */
export interface LayoutNeeds {
  workerRowCount: number;
  /** Lines above the panes besides the header: banners and warnings. */
  bannerLines: number;
  /** Lines below the panes besides the footer: the notice. */
  noticeLines: number;
}

/** Widths from which the queue pane and the scoreboard sit side by side. */
export const wideMinWidth = 96;
export const minWidth = 40;

const maxHeadLines = 5;
/** Border lines of a pane: its titled top and its bottom. */
const frameLines = 2;
const queueFixedLines = 3;
const scoreboardWideLines = 7;
const scoreboardCompactLines = 3;
const eventsMinLines = 1;

/** Splits `height` rows among the panes: the head of pending shrinks first, then the events pane, then the worker rows. */
export function planLayout(width: number, height: number, needs: LayoutNeeds): LayoutPlan {
  const wide = width >= wideMinWidth;
  const available = height - 2 - needs.bannerLines - needs.noticeLines;
  const topHeight = (headLines: number) => {
    const queueHeight = frameLines + queueFixedLines + headLines;
    return wide ? Math.max(queueHeight, frameLines + scoreboardWideLines) : queueHeight + frameLines + scoreboardCompactLines;
  };
  const workersMin = frameLines + 2;
  const workersWanted = frameLines + 1 + Math.max(1, needs.workerRowCount);
  const eventsMin = frameLines + eventsMinLines;

  let headLines = maxHeadLines;
  while (headLines > 1 && available - topHeight(headLines) < workersWanted + eventsMin) headLines--;
  const rest = available - topHeight(headLines);
  const plan = (workersHeight: number, eventsHeight: number): LayoutPlan => ({
    tooSmall: false,
    wide,
    headLines,
    queueHeight: wide ? topHeight(headLines) : frameLines + queueFixedLines + headLines,
    scoreboardHeight: wide ? topHeight(headLines) : frameLines + scoreboardCompactLines,
    workersHeight,
    eventsHeight,
  });

  if (width < minWidth || rest < workersMin) return { ...plan(0, 0), tooSmall: true };
  if (rest < workersMin + eventsMin) return plan(rest, 0);
  const workersHeight = Math.min(workersWanted, rest - eventsMin);
  return plan(workersHeight, rest - workersHeight);
}
