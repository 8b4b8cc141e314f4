import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { CORRECTION_KINDS, type CorrectionKind } from '@/features/corrections/correction-schema';
import type { NotebookEntry } from '@/core/db/schema';
import { currentLanguageTag, t } from '@/core/i18n';
import { isDueToday, matchesQuery } from '@/features/corrections/notebook';
import { SentenceDiff } from './CorrectionCard';
import { SayItAgain, type DrillState } from './SayItAgain';

const dateFormat = () => new Intl.DateTimeFormat(currentLanguageTag(), { dateStyle: 'medium' });

export interface NotebookViewProps {
  /** Every entry, newest first (features/corrections/notebook.ts listNotebook()). */
  entries: readonly NotebookEntry[];
  /** "Say it again" state per entry id; entries without one are idle. */
  drills?: Readonly<Record<string, DrillState>>;
  onSayAgain(entry: NotebookEntry): void;
  onExportCsv(): void;
  /** A word of an entry's judged attempt was pressed (store.playAttemptWord). */
  onPlayWord?(entry: NotebookEntry, wordIndex: number): void;
  /** The notebook as a deck Anki imports. */
  onExportAnki?(): void;
  onExportConversation(conversationId: string): void;
  onDelete?(entry: NotebookEntry): void;
  /** While a turn or another drill is using the microphone (an entry's own drill can always be stopped). */
  sayAgainDisabled?: boolean | ((entry: NotebookEntry) => boolean);
  /** For tests and for a panel left open past midnight. */
  now?: number;
  /** The Sounds tab (features/pronunciation/SoundsTab.tsx); without it the notebook is corrections only, with no tabs. */
  sounds?: ComponentChildren;
}

type Tab = 'corrections' | 'sounds';
const TABS: readonly Tab[] = ['corrections', 'sounds'];

/**
 * "Corrections | Sounds" as a tablist (the WAI-ARIA tabs pattern): one tab stop, the arrow keys, Home and End move
 * between the tabs and show each at once.
 */
function NotebookTabs({ tab, onSelect }: { tab: Tab; onSelect(tab: Tab): void }) {
  const refs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  function onKeyDown(event: KeyboardEvent) {
    const index = TABS.indexOf(tab);
    const next =
      event.key === 'ArrowRight'
        ? TABS[(index + 1) % TABS.length]
        : event.key === 'ArrowLeft'
          ? TABS[(index - 1 + TABS.length) % TABS.length]
          : event.key === 'Home'
            ? TABS[0]
            : event.key === 'End'
              ? TABS.at(-1)
              : undefined;
    if (!next) return;
    event.preventDefault();
    onSelect(next);
    refs.current[next]?.focus();
  }
  return (
    <div class="notebook-tabs" role="tablist" aria-label={t('sounds.tabs')} onKeyDown={onKeyDown}>
      {TABS.map((name) => (
        <button
          key={name}
          ref={(element) => {
            refs.current[name] = element;
          }}
          type="button"
          role="tab"
          id={`notebook-tab-${name}`}
          aria-controls={`notebook-panel-${name}`}
          aria-selected={tab === name}
          tabIndex={tab === name ? 0 : -1}
          onClick={() => onSelect(name)}
        >
          {name === 'corrections' ? t('sounds.tabCorrections') : t('sounds.tabSounds')}
        </button>
      ))}
    </div>
  );
}

function dueText(entry: NotebookEntry, now: number): string {
  if (isDueToday(entry, now)) return t('notebook.dueToday');
  return t('notebook.nextReview', { date: dateFormat().format(entry.due) });
}

function EntryItem({
  entry,
  drill,
  now,
  props,
}: {
  entry: NotebookEntry;
  drill: DrillState;
  now: number;
  props: NotebookViewProps;
}) {
  const { correction } = entry;
  return (
    <li class="notebook-entry">
      <p class="notebook-meta">
        <span>{dateFormat().format(entry.createdAt)}</span> · <span>{t(`correction.kind.${correction.kind}`)}</span> ·{' '}
        <span class={isDueToday(entry, now) ? 'due due-today' : 'due'}>{dueText(entry, now)}</span>
      </p>
      <SentenceDiff before={entry.sentence} after={entry.correctedSentence} />
      <p class="correction-change">
        <del>{correction.original}</del>
        <span aria-hidden="true"> → </span>
        <span class="visually-hidden">{t('correction.becomes')}</span>
        {correction.corrected ? <ins>{correction.corrected}</ins> : <em>{t('correction.leaveOut')}</em>}
      </p>
      <p class="correction-explanation">{correction.explanation}</p>
      {entry.natural && (
        <p class="correction-natural">
          <span class="label">{t('correction.natural')}</span>
          {entry.natural}
        </p>
      )}
      {entry.lastAttempt && drill.status === 'idle' && (
        <p class="notebook-last">
          {entry.lastAttempt.allRight
            ? t('notebook.lastTimeAllRight')
            : t('notebook.lastTimeSome', { right: entry.lastAttempt.right, total: entry.lastAttempt.total })}
        </p>
      )}
      <div class="notebook-actions">
        <SayItAgain
          target={entry.correctedSentence}
          drill={drill}
          onPress={() => props.onSayAgain(entry)}
          onPlayWord={props.onPlayWord && ((wordIndex) => props.onPlayWord!(entry, wordIndex))}
          disabled={
            typeof props.sayAgainDisabled === 'function' ? props.sayAgainDisabled(entry) : props.sayAgainDisabled
          }
        />
        <button type="button" class="quiet" onClick={() => props.onExportConversation(entry.conversationId)}>
          {t('notebook.exportConversation')}
        </button>
        {props.onDelete && (
          <button
            type="button"
            class="quiet"
            aria-label={t('notebook.deleteLabel', { original: correction.original })}
            onClick={() => props.onDelete?.(entry)}
          >
            {t('notebook.delete')}
          </button>
        )}
      </div>
    </li>
  );
}

/** The notebook: every correction kept, newest first, with a kind filter, search and reviews due today. */
export function NotebookView(props: NotebookViewProps) {
  const { entries, drills = {}, now = Date.now() } = props;
  const [kind, setKind] = useState<CorrectionKind | ''>('');
  const [search, setSearch] = useState('');
  const [dueOnly, setDueOnly] = useState(false);
  const due = entries.filter((entry) => isDueToday(entry, now)).length;
  const shown = entries.filter(
    (entry) => matchesQuery(entry, { kind: kind || undefined, search }) && (!dueOnly || isDueToday(entry, now)),
  );
  const filtering = kind !== '' || search.trim() !== '' || dueOnly;
  const [tab, setTab] = useState<Tab>('corrections');
  const tabbed = props.sounds !== undefined;
  const showing: Tab = tabbed ? tab : 'corrections';
  const corrections = (
    <>
      <div class="notebook-filters">
        <label>
          {t('notebook.kind')}{' '}
          <select
            value={kind}
            onChange={(event) => setKind((event.currentTarget as HTMLSelectElement).value as CorrectionKind | '')}
          >
            <option value="">{t('notebook.allKinds')}</option>
            {CORRECTION_KINDS.filter((k) => k !== 'possibly_misheard').map((k) => (
              <option key={k} value={k}>
                {t(`correction.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('notebook.search')}{' '}
          <input
            type="search"
            value={search}
            onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={dueOnly}
            onChange={(event) => setDueOnly((event.currentTarget as HTMLInputElement).checked)}
          />
          {t('notebook.dueOnly')}
        </label>
      </div>
      {entries.length === 0 ? (
        <p class="empty">{t('notebook.empty')}</p>
      ) : shown.length === 0 ? (
        <p class="empty">{filtering ? t('notebook.noMatchFilters') : t('notebook.noMatch')}</p>
      ) : (
        <ul class="notebook-list">
          {shown.map((entry) => (
            <EntryItem
              key={entry.id}
              entry={entry}
              drill={drills[entry.id] ?? { status: 'idle' }}
              now={now}
              props={props}
            />
          ))}
        </ul>
      )}
    </>
  );
  return (
    <section class="notebook" aria-labelledby="notebook-heading">
      <div class="notebook-header">
        <h2 id="notebook-heading">{t('notebook.heading')}</h2>
        {showing === 'corrections' && (
          <>
            <p class="notebook-due" role="status">
              {t('notebook.toReview', due)}
            </p>
            <button type="button" onClick={props.onExportCsv} disabled={entries.length === 0}>
              {t('notebook.exportCsv')}
            </button>
            {props.onExportAnki && (
              <button type="button" onClick={props.onExportAnki} disabled={entries.length === 0}>
                {t('notebook.exportAnki')}
              </button>
            )}
          </>
        )}
      </div>
      {tabbed ? (
        <>
          <NotebookTabs tab={tab} onSelect={setTab} />
          {/* Both panels stay rendered (the hidden one inert), so every tab's aria-controls names an element. */}
          {TABS.map((name) => (
            <div
              key={name}
              role="tabpanel"
              id={`notebook-panel-${name}`}
              aria-labelledby={`notebook-tab-${name}`}
              hidden={tab !== name}
            >
              {name === 'corrections' ? corrections : props.sounds}
            </div>
          ))}
        </>
      ) : (
        corrections
      )}
    </section>
  );
}
