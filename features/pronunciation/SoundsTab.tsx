import { useState } from 'preact/hooks';
import type { SoundEntry } from '@/core/db/schema';
import { currentLanguageTag, t } from '@/core/i18n';
import type { HardSoundId } from '@/core/pronunciation';
import { isDueToday } from '../corrections/notebook';
import { SayItAgain, type DrillState } from '../corrections/SayItAgain';
import type { PracticeTarget } from '../talk/turn-machine';
import { soundDrillTarget } from './sounds-store';

/**
 * The notebook's Sounds tab: every sound that went wrong in a judged attempt, across conversations, with the words
 * it went wrong in, how often, when it is due, and its minimal-pair drill ("Practise").
 */

export interface SoundsTabProps {
  /** The one due soonest first (features/pronunciation/sounds-store.ts). */
  sounds: readonly SoundEntry[];
  /** Where the drill of a target stands (features/corrections/drill.ts drillOf). */
  drillOf(target: PracticeTarget): DrillState;
  /** Starts the drill's recording, or stops it while recording. */
  onPractise(target: PracticeTarget): void;
  /** While a turn or another attempt uses the microphone. */
  practiseDisabled?(target: PracticeTarget): boolean;
  /** The sound's name with its IPA, and a hint on saying it, in the explanation language, where the panel has them. */
  nameOf?(id: HardSoundId): string;
  hintOf?(id: HardSoundId): string;
  /** A word of a drill's judged attempt was pressed (store.playAttemptWord). */
  onPlayWord?(target: PracticeTarget, wordIndex: number): void;
  /** For tests and for a panel left open past midnight. */
  now?: number;
}

const dateFormat = () => new Intl.DateTimeFormat(currentLanguageTag(), { dateStyle: 'medium' });

/** The two kinds that are about where a sound is, not which: their "IPA" is a pattern, so they get a name. */
function positionalName(id: HardSoundId): string | undefined {
  if (id === 'final-consonant') return t('sounds.positional.finalConsonant');
  if (id === 'consonant-cluster') return t('sounds.positional.consonantCluster');
  return undefined;
}

function SoundItem({ entry, props, now }: { entry: SoundEntry; props: SoundsTabProps; now: number }) {
  // Each review starts at the next pair; the round stays put while its result is on show.
  const [round, setRound] = useState(() => entry.card.reps);
  const target = soundDrillTarget(entry.id, round);
  const drill = props.drillOf(target);
  const disabled = props.practiseDisabled?.(target) ?? false;
  // A name from the panel already holds the IPA ("/θ/ as in “think”"); the positional kinds' "IPA" is only a pattern.
  const title = props.nameOf?.(entry.id) || positionalName(entry.id) || `/${entry.ipa}/`;
  const hint = props.hintOf?.(entry.id);
  const headingId = `sound-${entry.id}`;
  return (
    <li class="notebook-entry sound-entry" aria-labelledby={headingId}>
      <h3 id={headingId} class="sound-name">
        {title}
      </h3>
      <p class="notebook-meta">
        <span>{t('sounds.wentWrong', entry.wrongCount)}</span> ·{' '}
        <span>{t('sounds.conversations', entry.conversationIds.length)}</span> ·{' '}
        <span class={isDueToday(entry, now) ? 'due due-today' : 'due'}>
          {isDueToday(entry, now)
            ? t('notebook.dueToday')
            : t('notebook.nextReview', { date: dateFormat().format(entry.due) })}
        </span>
      </p>
      {hint && <p class="sound-hint">{hint}</p>}
      <ul class="sound-examples" aria-label={t('sounds.examples')}>
        {entry.examples.map((example, index) => (
          <li key={index}>
            <strong>{example.word}</strong> <span class="sound-example-text">“{example.text}”</span>{' '}
            <span class="notebook-meta">
              {example.heardInstead !== undefined
                ? t('sounds.heardInstead', { ipa: example.heardInstead })
                : t('sounds.leftOut')}
            </span>
          </li>
        ))}
      </ul>
      {entry.lastDrill && drill.status === 'idle' && (
        <p class="notebook-last">
          {entry.lastDrill.passed
            ? t('sounds.lastPassed', { score: entry.lastDrill.score })
            : t('sounds.lastNotYet', { score: entry.lastDrill.score })}
        </p>
      )}
      <div class="notebook-actions sound-drill">
        <p class="say-again-target">{t('sounds.sayPair', { text: target.text })}</p>
        {drill.status === 'idle' ? (
          <button
            type="button"
            aria-label={t('sounds.practiseLabel', { ipa: entry.ipa, text: target.text })}
            disabled={disabled}
            onClick={() => props.onPractise(target)}
          >
            {t('sounds.practise')}
          </button>
        ) : (
          <SayItAgain
            target={target.text}
            drill={drill}
            onPress={() => props.onPractise(target)}
            disabled={disabled}
            onPlayWord={props.onPlayWord && ((wordIndex) => props.onPlayWord!(target, wordIndex))}
          />
        )}
        {(drill.status === 'done' || drill.status === 'failed') && (
          <button type="button" class="quiet" disabled={disabled} onClick={() => setRound(round + 1)}>
            {t('sounds.nextPair')}
          </button>
        )}
      </div>
    </li>
  );
}

export function SoundsTab(props: SoundsTabProps) {
  const { sounds, now = Date.now() } = props;
  if (sounds.length === 0) return <p class="empty">{t('sounds.empty')}</p>;
  return (
    <ul class="notebook-list sound-list" aria-label={t('sounds.heading')}>
      {sounds.map((entry) => (
        <SoundItem key={entry.id} entry={entry} props={props} now={now} />
      ))}
    </ul>
  );
}
