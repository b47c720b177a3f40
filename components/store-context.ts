import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ConsoleState, ConsoleStore, ConsoleStoreActions } from '../src/store.js';
import { palette, type Palette } from './theme.js';

/** The console store of the tree; ConsoleApp provides it. */
export const StoreContext = createContext<ConsoleStore | undefined>(undefined);

/**
 * Reads one slice of the console store. Selectors must return stored values
 * or primitives: a new object on every call would re-render forever.
 */
export function useConsoleStore<T>(selector: (state: ConsoleState & ConsoleStoreActions) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useConsoleStore needs a StoreContext provider: render the panes inside ConsoleApp');
  return useStore(store, selector);
}

/** Returns the palette of the console: colours, or none when colour is off. */
export function usePalette(): Palette {
  return palette(useConsoleStore((state) => state.info.color));
}
