import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PanelStore } from './panel-store';

export const StoreContext = createContext<PanelStore | null>(null);

export function useStore(): PanelStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore() needs a <StoreContext.Provider> above it');
  return store;
}
