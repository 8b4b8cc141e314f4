import { useEffect } from 'preact/hooks';
import { drillBlocked, drillOf } from './drill';
import type { DrillState } from './SayItAgain';
import { NotebookView } from './NotebookView';
import { entryTarget } from './corrections-store';
import { useStore } from '../../panel/store-context';
import { SoundsTab } from '../pronunciation/SoundsTab';
import { soundHint, soundName } from '../pronunciation/hints';

/** The Notebook view, wired to the store: entries, their "Say it again", the exports, the Sounds tab and its drills. */
export function NotebookPanel() {
  const store = useStore();
  useEffect(() => {
    void store.refreshNotebook();
    void store.refreshSounds();
  }, [store]);
  const entries = store.notebook.value;
  const targetOf = (entry: (typeof entries)[number]) => entryTarget(entry.id, entry.correctedSentence);
  const drills: Record<string, DrillState> = {};
  for (const entry of entries) drills[entry.id] = drillOf(store, targetOf(entry).id);
  return (
    <NotebookView
      entries={entries}
      drills={drills}
      onSayAgain={(entry) => store.practise(targetOf(entry))}
      onPlayWord={(entry, wordIndex) => void store.playAttemptWord(targetOf(entry).id, wordIndex)}
      onExportCsv={() => void store.exportNotebookCsv()}
      onExportAnki={() => void store.exportNotebookAnki()}
      onExportConversation={(conversationId) => void store.exportConversation(conversationId)}
      sayAgainDisabled={(entry) => drillBlocked(store, targetOf(entry).id)}
      sounds={
        <SoundsTab
          sounds={store.sounds.value}
          drillOf={(target) => drillOf(store, target.id)}
          onPractise={(target) => store.practise(target)}
          practiseDisabled={(target) => drillBlocked(store, target.id)}
          nameOf={(id) => soundName(id, store.settings.value.explanationLanguage)}
          hintOf={(id) => soundHint(id, store.settings.value.explanationLanguage)}
          onPlayWord={(target, wordIndex) => void store.playAttemptWord(target.id, wordIndex)}
        />
      }
    />
  );
}
