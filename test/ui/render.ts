import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { createElement, type ReactElement } from 'react';
import { vi, type Mock } from 'vitest';
import { ConsoleApp } from '../../components/ConsoleApp.js';
import { StoreContext } from '../../components/store-context.js';
import type { ConsoleActions } from '../../src/key-bindings.js';
import type { ConsoleStore } from '../../src/store.js';

/** Renders `element` inside the store's provider and returns the frame as plain text. */
export function renderFrame(store: ConsoleStore, element: ReactElement): string {
  const instance = render(createElement(StoreContext.Provider, { value: store }, element));
  const frame = stripVTControlCharacters(instance.lastFrame() ?? '');
  instance.unmount();
  return frame;
}

/** Console actions replaced by mocks. */
export type RecordingActions = { [K in keyof ConsoleActions]: Mock<ConsoleActions[K]> };

/** Actions that only record their calls. */
export function recordingActions(): RecordingActions {
  return {
    spawnWorker: vi.fn(),
    killWorker: vi.fn(),
    terminateWorker: vi.fn(),
    toggleFreeze: vi.fn(),
    injectTasks: vi.fn(),
    injectBurst: vi.fn(),
    toggleChaos: vi.fn(),
    togglePause: vi.fn(),
    requeueDead: vi.fn(),
    quit: vi.fn(),
    forceQuit: vi.fn(),
  };
}

/** The console rendered for a test: its latest frame as plain text, and a keyboard. */
export interface ConsoleUnderTest {
  frame(): string;
  /** Types `keys` and waits for Ink to route them and render. */
  press(keys: string): Promise<void>;
}

/** Renders the whole console at a fixed terminal size. */
export function renderConsole(store: ConsoleStore, columns: number, rows: number, actions: ConsoleActions = recordingActions()): ConsoleUnderTest {
  const instance = render(createElement(ConsoleApp, { store, actions, size: { columns, rows } }));
  return {
    frame: () => stripVTControlCharacters(instance.lastFrame() ?? ''),
    async press(keys: string): Promise<void> {
      instance.stdin.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 30));
    },
  };
}
