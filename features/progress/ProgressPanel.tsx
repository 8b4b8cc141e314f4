import { useEffect, useState } from 'preact/hooks';
import { t } from '@/core/i18n';
import { listDue } from '@/features/corrections/notebook';
import { entryTarget } from '@/features/corrections/corrections-store';
import { ProgressView } from './ProgressView';
import { WeekCard } from './WeekCard';
import { useStore } from '../../panel/store-context';

/** The Progress view, wired to the store: read afresh each time it opens. */
export function ProgressPanel() {
  const store = useStore();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    store.progress.refresh().catch((failure: unknown) => {
      console.error('AITalk: could not read the progress', failure);
      setError(t('progress.loadFailed', { detail: failure instanceof Error ? failure.message : String(failure) }));
    });
  }, [store]);
  return (
    <ProgressView
      progress={store.progress.progress.value}
      error={error}
      onThisWeek={() => void store.runProgressAction(store.progress.showThisWeek)}
    />
  );
}

/** Where the panel goes when a button of the week's card starts its practice. */
export type WeekCardDestination = 'notebook' | 'conversation';

/** The week's card while it is shown, with buttons that start the practice they name. */
export function ShownWeekCard({ onGo }: { onGo(destination: WeekCardDestination): void }) {
  const store = useStore();
  const summary = store.progress.weekCard.value;
  if (!summary) return null;
  const review = async () => {
    const [first] = await listDue();
    store.progress.dismissWeek();
    onGo('notebook');
    if (first) store.practise(entryTarget(first.id, first.correctedSentence));
  };
  const practise = async () => {
    store.progress.dismissWeek();
    onGo('conversation');
    await store.saveSettings({ ...store.settings.value, scenario: summary.scenario }, store.apiKey.value, {
      open: false,
    });
    await store.startPractice();
  };
  return (
    <WeekCard
      summary={summary}
      onReview={() => void store.runProgressAction(review)}
      onPractise={() => void store.runProgressAction(practise)}
      onDismiss={store.progress.dismissWeek}
    />
  );
}
