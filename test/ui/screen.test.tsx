import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ConnectionBanner } from '../../components/ConnectionBanner.js';
import { EventsPane } from '../../components/EventsPane.js';
import { Footer } from '../../components/Footer.js';
import { Header } from '../../components/Header.js';
import { HelpOverlay } from '../../components/HelpOverlay.js';
import { InjectDialog } from '../../components/InjectDialog.js';
import { NoWorkersWarning } from '../../components/NoWorkersWarning.js';
import { QueuePane } from '../../components/QueuePane.js';
import { ScoreboardPane } from '../../components/ScoreboardPane.js';
import { StoppingPane } from '../../components/StoppingPane.js';
import { TaskDetail } from '../../components/TaskDetail.js';
import { WorkerDetail } from '../../components/WorkerDetail.js';
import { WorkersPane } from '../../components/WorkersPane.js';
import { defaultInjectForm } from '../../src/store.js';
import { busyStore, emptyStore, envelope, fixtureStore, nowMs, recoveringStore } from './fixtures.js';
import { renderConsole, renderFrame } from './render.js';

beforeAll(() => {
  // Event times print as local wall-clock time; pin the zone so snapshots match everywhere.
  process.env.TZ = 'UTC';
});

afterEach(() => {
  cleanup();
});

const width = 100;

describe('panes', () => {
  it('header of a leader', () => {
    expect(renderFrame(busyStore(), <Header width={width} />)).toMatchSnapshot();
  });

  it('header of a paused standby with chaos on', () => {
    const store = busyStore();
    store.setState({ role: 'standby', chaos: { enabled: true, intervalMs: 3000 }, snapshot: { ...store.getState().snapshot!, paused: true } });
    expect(renderFrame(store, <Header width={width} />)).toMatchSnapshot();
  });

  it('queue pane empty', () => {
    expect(renderFrame(emptyStore(), <QueuePane width={60} height={10} headLines={5} />)).toMatchSnapshot();
  });

  it('queue pane before the first snapshot', () => {
    expect(renderFrame(fixtureStore(), <QueuePane width={60} height={10} headLines={5} />)).toMatchSnapshot();
  });

  it('queue pane busy', () => {
    expect(renderFrame(busyStore(), <QueuePane width={62} height={10} headLines={5} />)).toMatchSnapshot();
  });

  it('scoreboard wide and compact', () => {
    expect(renderFrame(busyStore(), <ScoreboardPane width={38} height={10} compact={false} />)).toMatchSnapshot();
    expect(renderFrame(busyStore(), <ScoreboardPane width={60} height={5} compact />)).toMatchSnapshot();
  });

  it('scoreboard shows lost tasks', () => {
    const store = busyStore();
    store.setState({ snapshot: { ...store.getState().snapshot!, stats: { enqueued: 2003, completed: 760, dead: 1 } } });
    const frame = renderFrame(store, <ScoreboardPane width={38} height={10} compact={false} />);
    expect(frame).toMatch(/lost\s+3 ✗/);
    expect(frame).toMatchSnapshot();
  });

  it('workers pane busy', () => {
    expect(renderFrame(busyStore(), <WorkersPane width={width} height={7} />)).toMatchSnapshot();
  });

  it('workers pane with a killed worker', () => {
    const frame = renderFrame(recoveringStore(), <WorkersPane width={width} height={6} />);
    expect(frame).toMatch(/W1·a1b2c3\s+4101@lab-host\s+dead\s+2\.0s\/3\.0s\s+2 for 2\.4s/);
    expect(frame).toMatchSnapshot();
  });

  it('workers pane scrolls to the selection', () => {
    const store = busyStore();
    store.getState().moveSelection(2);
    const frame = renderFrame(store, <WorkersPane width={width} height={5} />);
    expect(frame).toContain('2-3 shown');
    expect(frame).toMatchSnapshot();
  });

  it('workers pane empty', () => {
    expect(renderFrame(emptyStore(), <WorkersPane width={width} height={5} />)).toMatchSnapshot();
  });

  it('events pane', () => {
    expect(renderFrame(busyStore(), <EventsPane width={width} height={5} />)).toMatchSnapshot();
    expect(renderFrame(emptyStore(), <EventsPane width={width} height={4} />)).toMatchSnapshot();
  });

  it('footer on the main screen and in a dialog', () => {
    const store = busyStore();
    expect(renderFrame(store, <Footer width={width} />)).toMatchSnapshot();
    expect(renderFrame(store, <Footer width={50} />)).toMatchSnapshot();
    store.getState().openOverlay({ kind: 'inject', form: { ...defaultInjectForm } });
    expect(renderFrame(store, <Footer width={width} />)).toMatchSnapshot();
  });

  it('banners', () => {
    const store = busyStore();
    store.getState().markDisconnected('connect ECONNREFUSED 127.0.0.1:6390', nowMs - 12_000);
    store.setState({ nowMs });
    expect(renderFrame(store, <ConnectionBanner width={width} />)).toMatchSnapshot();
    expect(renderFrame(store, <NoWorkersWarning width={width} pendingCount={1234} />)).toMatchSnapshot();
  });
});

describe('dialogs and overlays', () => {
  it('help overlay', () => {
    expect(renderFrame(emptyStore(), <HelpOverlay width={width} height={40} />)).toMatchSnapshot();
  });

  it('help overlay cut to a short window', () => {
    const frame = renderFrame(emptyStore(), <HelpOverlay width={width} height={12} />);
    expect(frame.split('\n')).toHaveLength(12);
    expect(frame).toContain('more line(s): enlarge the window');
  });

  it('inject dialog with defaults', () => {
    expect(renderFrame(emptyStore(), <InjectDialog width={72} form={{ ...defaultInjectForm }} />)).toMatchSnapshot();
  });

  it('inject dialog with an error', () => {
    const form = { ...defaultInjectForm, field: 'payload' as const, payload: '{"ms":', error: 'payload: not valid JSON (Unexpected end of JSON input); leave it empty for null' };
    expect(renderFrame(emptyStore(), <InjectDialog width={72} form={form} />)).toMatchSnapshot();
  });

  it('confirm dialog defaults to No', () => {
    expect(renderFrame(emptyStore(), <ConfirmDialog width={72} title="Quit" message="Stop 2 spawned worker(s) and quit?" choice="no" />)).toMatchSnapshot();
  });

  it('worker detail', () => {
    const store = recoveringStore();
    const row = store.getState().workerRows[0];
    expect(renderFrame(store, <WorkerDetail width={width} height={20} row={row} workerKey={row!.key} nowMs={nowMs} />)).toMatchSnapshot();
    expect(renderFrame(store, <WorkerDetail width={width} height={20} row={undefined} workerKey="W1:a1b2c3d4e5f6" nowMs={nowMs} />)).toMatchSnapshot();
  });

  it('task detail', () => {
    expect(renderFrame(emptyStore(), <TaskDetail width={width} height={20} envelope={envelope('01JF0000000000000000000101', 'sleep', { ms: 500 })} />)).toMatchSnapshot();
    expect(renderFrame(emptyStore(), <TaskDetail width={width} height={20} envelope="not json" />)).toMatchSnapshot();
  });

  it('stopping pane', () => {
    expect(renderFrame(emptyStore(), <StoppingPane width={90} message="Stopping 2 worker(s): SIGTERM sent, SIGKILL after 12 s" />)).toMatchSnapshot();
  });
});

describe('whole screen', () => {
  it('empty at 100x30', () => {
    expect(renderConsole(emptyStore(), 100, 30).frame()).toMatchSnapshot();
  });

  // ink-testing-library reports 100 columns, so no whole-screen test is wider.
  it('busy at 100x36', () => {
    expect(renderConsole(busyStore(), 100, 36).frame()).toMatchSnapshot();
  });

  it('dead worker being recovered', () => {
    expect(renderConsole(recoveringStore(), 100, 30).frame()).toMatchSnapshot();
  });

  it('lost connection banner', () => {
    const store = busyStore();
    store.getState().markDisconnected('connect ECONNREFUSED 127.0.0.1:6390', nowMs - 5000);
    store.setState({ nowMs });
    const frame = renderConsole(store, 100, 30).frame();
    expect(frame).toContain('Redis unreachable for 5.0s (connect ECONNREFUSED 127.0.0.1:6390)');
    expect(frame).toMatchSnapshot();
  });

  it('no workers warning', () => {
    const store = fixtureStore();
    store.getState().applySnapshot({ ...emptyStore().getState().snapshot!, pendingCount: 7, stats: { enqueued: 7 } }, nowMs, 'leader');
    const frame = renderConsole(store, 100, 30).frame();
    expect(frame).toContain('7 task(s) pending and no worker alive: press s to spawn one');
  });

  it('narrow terminal', () => {
    expect(renderConsole(busyStore(), 60, 24).frame()).toMatchSnapshot();
  });

  it('window too small', () => {
    expect(renderConsole(busyStore(), 30, 10).frame()).toContain('Window too small (30x10)');
  });

  it('help overlay over the panes', () => {
    const store = busyStore();
    store.getState().openOverlay({ kind: 'help' });
    expect(renderConsole(store, 100, 40).frame()).toMatchSnapshot();
  });

  it('no frame taller than the window', () => {
    for (const [columns, rows] of [[100, 40], [100, 30], [80, 24], [60, 24], [60, 16], [40, 14], [100, 60], [96, 20]] as const) {
      for (const make of [emptyStore, busyStore, recoveringStore]) {
        const frame = renderConsole(make(), columns, rows).frame();
        const lines = frame.split('\n');
        expect(lines.length, `${make.name} at ${columns}x${rows}`).toBeLessThan(rows);
        expect(Math.max(...lines.map((line) => line.length)), `${make.name} at ${columns}x${rows}`).toBeLessThanOrEqual(columns);
        cleanup();
      }
    }
  });
});
