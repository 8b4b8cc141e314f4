import { render } from 'preact';
import { App } from '@/components/App';
import { StoreContext } from '@/components/store-context';
import { createConversationStore } from '@/components/conversation-store';
import './style.css';

const store = createConversationStore();
render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
  document.getElementById('app')!,
);
void store.init();
