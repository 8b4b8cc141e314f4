import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '@/core/i18n';
import type { ProfileFact } from '@/core/db/schema';
import type { Level } from '../talk/teacher-prompt';
import { FactFields, type FactDraft } from './FactEditor';
import { factKindLabel, pointLabel } from './labels';
import type { RecurringMistake } from './recurring';
import './memory.css';

export interface MemoryViewProps {
  enabled: boolean;
  facts: readonly ProfileFact[];
  recurring: readonly RecurringMistake[];
  sounds: readonly string[];
  level: Level;
  onEdit(id: string, change: FactDraft): void;
  onDelete(id: string): void;
  onForget(): void;
}

function FactRow({ fact, onEdit, onDelete }: { fact: ProfileFact } & Pick<MemoryViewProps, 'onEdit' | 'onDelete'>) {
  const [draft, setDraft] = useState<FactDraft | null>(null);
  const edit = useRef<HTMLButtonElement>(null);
  const editedBefore = useRef(false);
  // Save, Cancel and Escape take the fields away with the focus in them: it goes back to Edit.
  useEffect(() => {
    if (!draft && editedBefore.current) edit.current?.focus();
    editedBefore.current ||= draft !== null;
  }, [draft === null]);
  if (draft) {
    return (
      <li
        class="memory-fact"
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault();
          setDraft(null);
        }}
      >
        <FactFields id={`fact-${fact.id}`} draft={draft} onChange={setDraft} focusText />
        <div class="memory-actions">
          <button
            type="button"
            disabled={!draft.text.trim()}
            onClick={() => {
              onEdit(fact.id, draft);
              setDraft(null);
            }}
          >
            {t('memory.save')}
          </button>
          <button type="button" class="quiet" onClick={() => setDraft(null)}>
            {t('memory.cancel')}
          </button>
        </div>
      </li>
    );
  }
  return (
    <li class="memory-fact">
      <p>
        <span class="memory-kind">{factKindLabel(fact.kind)}</span> {fact.text}
      </p>
      <div class="memory-actions">
        <button
          ref={edit}
          type="button"
          class="quiet"
          aria-label={t('memory.editLabel', { text: fact.text })}
          onClick={() => setDraft({ kind: fact.kind, text: fact.text })}
        >
          {t('memory.edit')}
        </button>
        <button
          type="button"
          class="quiet"
          aria-label={t('memory.deleteLabel', { text: fact.text })}
          onClick={() => onDelete(fact.id)}
        >
          {t('memory.delete')}
        </button>
      </div>
    </li>
  );
}

/** "What your teacher remembers": everything the teacher is told, editable, with "Forget everything". */
export function MemoryView(props: MemoryViewProps) {
  const [confirming, setConfirming] = useState(false);
  const [forgotten, setForgotten] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const forget = useRef<HTMLButtonElement>(null);
  const askedBefore = useRef(false);
  // The question replaces the button that asked it: the focus goes to the safe answer, and back.
  useEffect(() => {
    if (confirming) cancel.current?.focus();
    else if (askedBefore.current) forget.current?.focus();
    askedBefore.current ||= confirming;
  }, [confirming]);
  return (
    <section class="memory-view" aria-labelledby="memory-heading">
      <h2 id="memory-heading">{t('memory.heading')}</h2>
      <p class="help">{props.enabled ? t('memory.intro') : t('memory.off')}</p>

      <h3>{t('memory.facts')}</h3>
      {props.facts.length === 0 ? (
        <p class="empty">{t('memory.noFacts')}</p>
      ) : (
        <ul class="memory-facts">
          {props.facts.map((fact) => (
            <FactRow key={fact.id} fact={fact} onEdit={props.onEdit} onDelete={props.onDelete} />
          ))}
        </ul>
      )}

      <h3>{t('memory.mistakes')}</h3>
      {props.recurring.length === 0 ? (
        <p class="empty">{t('memory.noMistakes')}</p>
      ) : (
        <ul class="memory-mistakes">
          {props.recurring.map((mistake) => (
            <li key={mistake.point}>
              <span class="memory-kind">{pointLabel(mistake.point)}</span>{' '}
              {t('memory.mistakeCount', {
                times: t('memory.mistakeTimes', mistake.count),
                sessions: mistake.sessions,
              })}
            </li>
          ))}
        </ul>
      )}

      <h3>{t('memory.sounds')}</h3>
      {props.sounds.length === 0 ? (
        <p class="empty">{t('memory.noSounds')}</p>
      ) : (
        <ul class="memory-sounds">
          {props.sounds.map((sound) => (
            <li key={sound}>{sound}</li>
          ))}
        </ul>
      )}

      <h3>{t('memory.level')}</h3>
      <p>
        <span class="memory-kind">{props.level}</span> <span class="help">{t('memory.levelHelp')}</span>
      </p>

      {confirming ? (
        <div
          class="memory-confirm"
          role="group"
          aria-labelledby="memory-forget-question"
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.preventDefault();
            setConfirming(false);
          }}
        >
          <p id="memory-forget-question">{t('memory.forgetConfirm')}</p>
          <div class="memory-actions">
            <button
              type="button"
              class="danger"
              onClick={() => {
                setConfirming(false);
                setForgotten(true);
                props.onForget();
              }}
            >
              {t('memory.forgetYes')}
            </button>
            <button ref={cancel} type="button" class="quiet" onClick={() => setConfirming(false)}>
              {t('memory.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button
          ref={forget}
          type="button"
          onClick={() => {
            setForgotten(false);
            setConfirming(true);
          }}
        >
          {t('memory.forget')}
        </button>
      )}
      <p role="status" class="help">
        {forgotten ? t('memory.forgotten') : ''}
      </p>
    </section>
  );
}
