import { options, render } from 'preact';
import { App } from '@/panel/App';
import { StoreContext } from '@/panel/store-context';
import { createPanelStore } from '@/panel/panel-store';
import { deferRendering } from '@/panel/render-gate';
import './style.css';

// A barge-in's stop leaves before the panel redraws (see panel/render-gate.ts).
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
addEventListener('pagehide', () => void store.dispose());
