import { useInput } from 'ink';
import { useCallback } from 'react';
import { handleKey, type ConsoleActions } from '../src/key-bindings.js';
import type { ConsoleStore } from '../src/store.js';
import { ConsoleScreen } from './ConsoleScreen.js';
import { StoreContext } from './store-context.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';

export interface ConsoleAppProps {
  store: ConsoleStore;
  actions: ConsoleActions;
  /**
   * Fixed size, for tests; without it the console follows the terminal.
   * @default the size of stdout
   */
  size?: TerminalSize;
}

const fallbackSize: TerminalSize = { columns: 100, rows: 30 };

/**
 * Renders the console: provides the store, routes keys through the key
 * registry and sizes the screen. It leaves the last row of the terminal
 * empty, because Ink clears the whole terminal on every frame that fills it.
 */
export function ConsoleApp({ store, actions, size }: ConsoleAppProps) {
  const terminal = useTerminalSize(size ?? fallbackSize);
  const { columns, rows } = size ?? terminal;
  const onInput = useCallback((input: string, key: Parameters<typeof handleKey>[1]) => handleKey(input, key, { store, actions }), [store, actions]);
  useInput(onInput);

  return (
    <StoreContext.Provider value={store}>
      <ConsoleScreen width={columns} height={Math.max(1, rows - 1)} />
    </StoreContext.Provider>
  );
}
