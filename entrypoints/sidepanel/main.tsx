import { options, render } from 'preact';
import { App } from '@/components/App';
import { StoreContext } from '@/components/store-context';
import { createPanelStore } from '@/components/store/panel-store';
import { deferRendering } from '@/utils/render-gate';
import './style.css';

// A barge-in's stop leaves before the panel redraws (see utils/render-gate.ts).
options.debounceRendering = deferRendering;

const store = createPanelStore();
render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
  document.getElementById('app')!,
);
store.init().catch((error: unknown) => console.error('AITalk: the panel could not start', error));
// Closing the panel also closes its port to the offscreen document, which then releases the
// microphone and silences the voice; this only tidies up this page's own listeners.
addEventListener('pagehide', () => store.dispose());
