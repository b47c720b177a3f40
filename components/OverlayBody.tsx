import { ConfirmDialog } from './ConfirmDialog.js';
import { HelpOverlay } from './HelpOverlay.js';
import { InjectDialog } from './InjectDialog.js';
import { useConsoleStore } from './store-context.js';
import { TaskDetail } from './TaskDetail.js';
import { WorkerDetail } from './WorkerDetail.js';

export interface OverlayBodyProps {
  width: number;
  height: number;
}

/** Renders the open overlay (help, a dialog or a detail view) in place of the panes. */
export function OverlayBody({ width, height }: OverlayBodyProps) {
  const overlay = useConsoleStore((state) => state.overlay);
  const rows = useConsoleStore((state) => state.workerRows);
  const nowMs = useConsoleStore((state) => state.nowMs);
  const dialogWidth = Math.min(width, 72);
  switch (overlay?.kind) {
    case 'help':
      return <HelpOverlay width={Math.min(width, 124)} height={height} />;
    case 'inject':
      return <InjectDialog width={dialogWidth} form={overlay.form} />;
    case 'confirm':
      return <ConfirmDialog width={dialogWidth} title={overlay.title} message={overlay.message} choice={overlay.choice} />;
    case 'workerDetail':
      return <WorkerDetail width={width} height={height} workerKey={overlay.workerKey} row={rows.find((row) => row.key === overlay.workerKey)} nowMs={nowMs} />;
    case 'taskDetail':
      return <TaskDetail width={width} height={height} envelope={overlay.envelope} />;
    default:
      return null;
  }
}
