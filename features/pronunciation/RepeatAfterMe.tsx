import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { splitSentences } from '@/common/sentence-splitter';
import type { Message } from '@/core/db/schema';
import { t } from '@/core/i18n';
import type { PracticeTarget } from '../talk/turn-machine';
import { drillBlocked, drillOf } from '../corrections/drill';
import type { PanelStore } from '../../panel/panel-store';
import { useStore } from '../../panel/store-context';
import { PronunciationView } from './PronunciationView';

/**
 * Repeat after me (shadowing): a teacher reply, sentence by sentence — hear the teacher say one, say it back, see
 * how it sounded. An attempt is judged on this computer only (PracticeTarget kind 'repeat').
 */

/** The practice target of sentence `index` of a reply. */
export function repeatTarget(messageId: string, index: number, sentence: string): PracticeTarget {
  return { id: `repeat:${messageId}:${index}`, kind: 'repeat', text: sentence };
}

/** The sentences to repeat: whole sentences, without the clause the voice may speak first on its own. */
export function repeatSentences(text: string): string[] {
  return splitSentences(text, { firstClause: false });
}

/** A sentence's end: a full stop, question or exclamation mark (English or Chinese), closing quotes after it. */
const SENTENCE_END = /[.!?…。！？][\s"'”’)\]]*$/;

/**
 * What a teacher reply offers to repeat: a finished reply's sentences; of an interrupted one, only the sentences the
 * learner heard to their end, never the one cut off nor an opening clause the voice spoke on its own. A reply
 * interrupted before the whole sentences were kept loses its last heard sentence, which may have been cut.
 */
export function sentencesToRepeat(message: Message): string[] {
  if (message.role !== 'assistant' || !message.text) return [];
  if (message.status === 'done') return repeatSentences(message.text);
  if (message.status !== 'interrupted') return [];
  const whole = message.spokenWhole ?? repeatSentences(message.text).slice(0, -1).join(' ');
  return repeatSentences(whole).filter((sentence) => SENTENCE_END.test(sentence));
}

/** Plays a word of the attempt: the learner's own slice of the recording, then the teacher saying it. */
function wordPlayer(store: PanelStore, targetId: string): (wordIndex: number) => void {
  return (wordIndex) => void store.playAttemptWord(targetId, wordIndex);
}

export interface RepeatAfterMeProps {
  messageId: string;
  text: string;
  onClose(): void;
}

export function RepeatAfterMe({ messageId, text, onClose }: RepeatAfterMeProps) {
  const store = useStore();
  const sentences = useMemo(() => repeatSentences(text), [text]);
  const [index, setIndex] = useState(0);
  const region = useRef<HTMLElement>(null);
  // Opened from its button: the learner goes on from the sentence, by keyboard as well.
  useEffect(() => {
    region.current?.focus();
  }, []);
  const current = Math.min(index, sentences.length - 1);
  const sentence = sentences[current];
  if (sentence === undefined) return null;
  const target = repeatTarget(messageId, current, sentence);
  const drill = drillOf(store, target.id);
  const recording = drill.status === 'recording';
  const idle = store.phase.value === 'idle';
  const onPlayWord = wordPlayer(store, target.id);
  return (
    <section
      class="repeat"
      aria-label={t('pronunciation.repeatLabel')}
      tabIndex={-1}
      ref={region}
      data-target-id={target.id}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
    >
      <p class="repeat-progress">{t('pronunciation.progress', { index: current + 1, count: sentences.length })}</p>
      <p class="repeat-sentence" lang="en">
        {sentence}
      </p>
      <p class="repeat-help">{t('pronunciation.repeatHelp')}</p>
      <div class="repeat-actions">
        <button type="button" disabled={!idle} onClick={() => store.listenTo(sentence)}>
          {t('pronunciation.listen')}
        </button>
        <button
          type="button"
          class={recording ? 'say-again-button recording' : 'say-again-button'}
          aria-pressed={recording}
          disabled={drillBlocked(store, target.id) || drill.status === 'transcribing'}
          onClick={() => store.practise(target)}
        >
          {recording
            ? t('pronunciation.stop')
            : drill.status === 'transcribing'
              ? t('pronunciation.checking')
              : t('pronunciation.sayIt')}
        </button>
      </div>
      {drill.status === 'done' && drill.pronunciation && (
        <div class="attempt">
          <PronunciationView judgement={drill.pronunciation} onPlayWord={onPlayWord} />
        </div>
      )}
      {drill.status === 'failed' && (
        <p class="say-again-error" role="alert">
          {drill.message}
        </p>
      )}
      <div class="repeat-nav">
        <button type="button" disabled={current === 0 || recording} onClick={() => setIndex(current - 1)}>
          {t('pronunciation.previous')}
        </button>
        <button
          type="button"
          disabled={current === sentences.length - 1 || recording}
          onClick={() => setIndex(current + 1)}
        >
          {t('pronunciation.next')}
        </button>
        <button type="button" class="quiet" onClick={onClose}>
          {t('pronunciation.close')}
        </button>
      </div>
    </section>
  );
}

/** Under a teacher reply: the button that opens Repeat after me, and the view while it is open. */
export function RepeatAfterMeSlot({ message }: { message: Message }) {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const sentences = sentencesToRepeat(message);
  if (sentences.length === 0) return null;
  const close = () => {
    setOpen(false);
    // Back where the learner was, not at the top of the page.
    opener.current?.focus();
  };
  return (
    <div class="repeat-slot">
      <button
        type="button"
        class="quiet repeat-open"
        ref={opener}
        aria-expanded={open}
        onClick={() => (open ? close() : setOpen(true))}
      >
        {t('pronunciation.repeat')}
      </button>
      {open && <RepeatAfterMe messageId={message.id} text={sentences.join(' ')} onClose={close} />}
    </div>
  );
}
