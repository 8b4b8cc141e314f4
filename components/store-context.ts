import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConversationStore } from './conversation-store';

export const StoreContext = createContext<ConversationStore | null>(null);

export function useStore(): ConversationStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore() needs a <StoreContext.Provider> above it');
  return store;
}
