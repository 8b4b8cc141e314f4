import { useSignal } from '@preact/signals';
import { BannerView } from './BannerView';
import { HistoryList } from './HistoryList';
import { MessageList } from './MessageList';
import { PagePanel } from './PagePanel';
import { SettingsForm } from './SettingsForm';
import { TalkBar } from './TalkBar';
import { useStore } from './store-context';

type View = 'conversation' | 'history' | 'settings';

export function App() {
  const store = useStore();
  const view = useSignal<View>('conversation');
  const toggle = (next: View) => {
    view.value = view.value === next ? 'conversation' : next;
  };
  const openSettings = () => {
    view.value = 'settings';
  };

  if (store.startupError.value) {
    return (
      <div class="app">
        <div class="banner banner-error startup-error" role="alert">
          <p>{store.startupError.value}</p>
          <div class="banner-actions">
            <button type="button" onClick={store.reload}>
              Reload
            </button>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div class="app">
      <header class="app-header">
        <h1>AITalk</h1>
        <nav aria-label="Panel">
          <button
            type="button"
            onClick={() => void store.newConversation()}
            disabled={!store.ready.value || store.turnInProgress.value}
          >
            New conversation
          </button>
          <button type="button" aria-pressed={view.value === 'history'} onClick={() => toggle('history')}>
            History
          </button>
          <button type="button" aria-pressed={view.value === 'settings'} onClick={() => toggle('settings')}>
            Settings
          </button>
        </nav>
      </header>
      <BannerView onOpenSettings={openSettings} />
      <main class="app-main">
        {view.value === 'settings' && <SettingsForm onDone={() => (view.value = 'conversation')} />}
        {view.value === 'history' && <HistoryList onOpened={() => (view.value = 'conversation')} />}
        {view.value === 'conversation' && <PagePanel />}
        {view.value === 'conversation' && <MessageList />}
      </main>
      <TalkBar />
    </div>
  );
}
