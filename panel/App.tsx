import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '@/core/i18n';
import { BannerView } from './BannerView';
import { GuidedStart } from '../features/guided-start/GuidedStart';
import { HistoryList } from '../features/conversations/HistoryList';
import { MessageList } from '../features/talk/MessageList';
import { NotebookPanel } from '../features/corrections/NotebookPanel';
import { SessionCard } from '../features/corrections/SessionCard';
import { PagePanel } from '../features/page/PagePanel';
import { ProgressPanel, ShownWeekCard } from '../features/progress/ProgressPanel';
import { MemoryPanel, ShownProposal } from '../features/memory/MemoryPanel';
import { SettingsForm } from '../features/settings/SettingsForm';
import { TalkBar } from '../features/talk/TalkBar';
import { NaturalVoiceNoticeView } from '../features/voice/NaturalVoiceNoticeView';
import { LocalBadge } from '../features/settings/LocalBadge';
import { useStore } from './store-context';

type View = 'conversation' | 'history' | 'notebook' | 'progress' | 'memory' | 'settings' | 'guide';

/** The session card, brought into view when it appears (the conversation below may be long). */
function ShownSession() {
  const store = useStore();
  const session = store.session.value;
  const top = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // After the conversation's own scroll to its newest message, which runs in the same pass.
    const timer = setTimeout(() => top.current?.scrollIntoView?.({ block: 'start' }), 0);
    return () => clearTimeout(timer);
  }, [session]);
  if (!session) return null;
  return (
    <div ref={top}>
      <SessionCard summary={session} onClose={store.closeSession} />
    </div>
  );
}

export function App() {
  const store = useStore();
  const view = useSignal<View>('conversation');
  const guideOffered = useSignal(false);
  // A first run opens on the guided start, once the saved settings say it has not been done, unless
  // the learner has already gone somewhere else (Settings, History…) while the panel was loading:
  // taking that view away from under their hands would lose what they were typing.
  useEffect(() => {
    if (store.ready.value && !guideOffered.value) {
      guideOffered.value = true;
      if (!store.settings.value.guidedStartDone && view.value === 'conversation') view.value = 'guide';
    }
  }, [store.ready.value]);
  const toggle = (next: View) => {
    view.value = view.value === next ? 'conversation' : next;
  };
  const session = store.session.value;
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
              {t('app.reload')}
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
        <nav aria-label={t('app.navLabel')}>
          <button
            type="button"
            onClick={() => void store.newConversation()}
            disabled={!store.ready.value || store.turnInProgress.value}
          >
            {t('app.newConversation')}
          </button>
          <button
            type="button"
            onClick={() => {
              view.value = 'conversation';
              void store.summarize();
            }}
            disabled={!store.ready.value}
          >
            {t('app.summary')}
          </button>
          <button type="button" aria-pressed={view.value === 'history'} onClick={() => toggle('history')}>
            {t('app.history')}
          </button>
          <button type="button" aria-pressed={view.value === 'notebook'} onClick={() => toggle('notebook')}>
            {t('app.notebook')}
          </button>
          <button type="button" aria-pressed={view.value === 'progress'} onClick={() => toggle('progress')}>
            {t('progress.nav')}
          </button>
          <button type="button" aria-pressed={view.value === 'memory'} onClick={() => toggle('memory')}>
            {t('memory.open')}
          </button>
          <button type="button" aria-pressed={view.value === 'settings'} onClick={() => toggle('settings')}>
            {t('app.settings')}
          </button>
          <button type="button" aria-pressed={view.value === 'guide'} onClick={() => toggle('guide')}>
            {t('app.guide')}
          </button>
        </nav>
      </header>
      <LocalBadge settings={store.settings.value} />
      <BannerView onOpenSettings={openSettings} />
      <NaturalVoiceNoticeView
        notice={store.naturalVoiceNotice.value}
        announce={store.naturalVoiceAnnouncement.value}
        onHide={store.hideNaturalVoiceNotice}
      />
      <main class="app-main">
        {view.value === 'guide' && <GuidedStart onClose={() => (view.value = 'conversation')} />}
        {view.value === 'settings' && <SettingsForm onDone={() => (view.value = 'conversation')} />}
        {view.value === 'history' && <HistoryList onOpened={() => (view.value = 'conversation')} />}
        {(view.value === 'conversation' || view.value === 'progress') && (
          <ShownWeekCard onGo={(destination) => (view.value = destination)} />
        )}
        {view.value === 'notebook' && <NotebookPanel />}
        {view.value === 'progress' && <ProgressPanel />}
        {view.value === 'memory' && <MemoryPanel />}
        {view.value === 'conversation' && session && <ShownSession />}
        {view.value === 'conversation' && <ShownProposal />}
        {view.value === 'conversation' && <PagePanel />}
        {view.value === 'conversation' && <MessageList />}
      </main>
      <TalkBar />
    </div>
  );
}
