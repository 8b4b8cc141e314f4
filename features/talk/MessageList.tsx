import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message, TurnTimings } from '@/core/db/schema';
import { t } from '@/core/i18n';
import { correctedSentenceOf } from '@/features/corrections/notebook';
import { CorrectionCard } from '../corrections/CorrectionCard';
import { drillBlocked, drillOf } from '../corrections/drill';
import { ListeningAids } from '../listening/ListeningAids';
import { RepeatAfterMeSlot } from '../pronunciation/RepeatAfterMe';
import { cardTarget } from '../corrections/corrections-store';
import { useStore } from '../../panel/store-context';
import { titleOf } from '../conversations/conversation-title';

const TIMING_STEPS: Array<[keyof TurnTimings, () => string]> = [
  ['stopPressedAt', () => t('timings.stopPressed')],
  ['recordingStoppedAt', () => t('timings.recordingStopped')],
  ['uploadSentAt', () => t('timings.uploadSent')],
  ['transcriptAt', () => t('timings.transcript')],
  ['firstTokenAt', () => t('timings.firstToken')],
  ['firstSentenceAt', () => t('timings.firstSentence')],
  ['firstAudioAt', () => t('timings.firstAudio')],
];

function Timings({ timings }: { timings: TurnTimings }) {
  const start = timings.stopPressedAt ?? timings.chatSentAt;
  if (start === undefined) return null;
  const rows = TIMING_STEPS.filter(([key]) => timings[key] !== undefined);
  return (
    <details class="timings">
      <summary>{t('timings.title')}</summary>
      <dl>
        {rows.map(([key, label]) => (
          <div key={key}>
            <dt>{label()}</dt>
            <dd>{t('timings.plus', { ms: Math.round((timings[key] ?? start) - start) })}</dd>
          </div>
        ))}
        {timings.silencedAt !== undefined && timings.interruptedAt !== undefined && (
          <div>
            <dt>{t('timings.silenced')}</dt>
            <dd>{t('timings.ms', { ms: Math.round(timings.silencedAt - timings.interruptedAt) })}</dd>
          </div>
        )}
      </dl>
    </details>
  );
}

function MessageItem({ message, hidden, focusable }: { message: Message; hidden: boolean; focusable: boolean }) {
  const store = useStore();
  const who = message.role === 'user' ? t('conversation.you') : t('conversation.teacher');
  return (
    <li
      class={`message message-${message.role} status-${message.status}`}
      data-status={message.status}
      tabIndex={focusable ? -1 : undefined}
    >
      <span class="message-who">{who}</span>
      {hidden ? (
        <p class="message-text message-hidden">{t('conversation.hiddenText')}</p>
      ) : (
        <p class="message-text">
          {message.text ||
            (message.status === 'transcribing'
              ? t('conversation.transcribing')
              : message.status === 'streaming'
                ? '…'
                : message.status === 'recorded' || message.status === 'unsent'
                  ? t('conversation.recordedNotSent')
                  : '')}
        </p>
      )}
      <ListeningAids message={message} />
      {!hidden && <RepeatAfterMeSlot message={message} />}
      {message.status === 'unsent' && (
        <div class="message-unsent">
          <p class="message-note">{t('conversation.unsentNote')}</p>
          <button type="button" disabled={store.phase.value !== 'idle'} onClick={() => store.sendUnsent(message.id)}>
            {t('conversation.send')}
          </button>
          <button type="button" class="quiet" onClick={() => void store.deleteUnsent(message.id)}>
            {t('conversation.delete')}
          </button>
        </div>
      )}
      {message.status === 'interrupted' && <p class="message-note">{t('conversation.interrupted')}</p>}
      {message.status === 'failed' && (
        <div class="message-failed">
          <p class="message-note">{message.error ?? t('conversation.turnFailed')}</p>
          {message.role === 'user' && (
            <button
              type="button"
              disabled={store.phase.value !== 'idle' && store.phase.value !== 'listening'}
              onClick={() => store.retry(message.id)}
            >
              {t('conversation.retry')}
            </button>
          )}
        </div>
      )}
      {message.role === 'assistant' && <Timings timings={message.timings} />}
    </li>
  );
}

/** The corrections of a learner sentence, under its bubble (the corrections lane). */
function CorrectionSlot({ message }: { message: Message }) {
  const store = useStore();
  const state = store.cards.value[message.id];
  if (!state) return null;
  const target = cardTarget(message.id, state.status === 'done' ? correctedSentenceOf(state.check) : message.text);
  return (
    <li class="correction-slot" data-message-id={message.id}>
      <CorrectionCard
        state={state}
        drill={drillOf(store, target.id)}
        onRetry={() => store.retryCheck(message.id)}
        onMisheard={(index) => void store.markMisheard(message.id, index)}
        onSayAgain={(text) => store.practise({ ...target, text })}
        sayAgainDisabled={drillBlocked(store, target.id)}
        onPlayWord={(wordIndex) => void store.playAttemptWord(target.id, wordIndex)}
      />
    </li>
  );
}

/**
 * How many messages a conversation shows, and how many more each "Show earlier messages" adds.
 * Every rendered message keeps its card, timings and buttons alive in Preact's tree: the 200-turn
 * soak (docs/soak/200-turns-run1.txt) measured the panel's heap growing ~28 KB a turn with all of
 * them rendered. 40 is more than any practice session the e2e tests hold (all under 20 messages).
 */
const RECENT_MESSAGES = 40;
const EARLIER_STEP = 40;

/**
 * The recent part of one conversation. It is keyed by the conversation, so opening another (or a
 * new) one starts again from the recent part. `earlier` counts the messages before `messages`,
 * which the history left in IndexedDB (features/conversations/history.ts).
 */
function RecentMessages({ messages, earlier, hideLast }: { messages: Message[]; earlier: number; hideLast: boolean }) {
  const store = useStore();
  const [shown, setShown] = useState(RECENT_MESSAGES);
  // Set when earlier messages were just revealed: focus goes to the first of them.
  const [revealed, setRevealed] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const start = Math.max(0, messages.length - shown);
  const last = messages[messages.length - 1];
  useEffect(() => {
    if (!revealed) return;
    setRevealed(false);
    list.current?.querySelector<HTMLElement>('li.message')?.focus();
  }, [revealed]);

  return (
    <>
      {start + earlier > 0 && (
        <button
          type="button"
          class="quiet earlier-messages"
          onClick={() => {
            const more = messages.length - start + EARLIER_STEP;
            // Fewer than a step are in memory: the history brings the previous ones from IndexedDB.
            const loading = start < EARLIER_STEP ? store.showEarlier() : Promise.resolve();
            void loading.then(() => {
              setShown(more);
              setRevealed(true);
            });
          }}
        >
          {t('conversation.showEarlier', { count: start + earlier })}
        </button>
      )}
      <ol class="messages" ref={list}>
        {messages.slice(start).map((message, index) => (
          <Fragment key={message.id}>
            <MessageItem
              message={message}
              hidden={hideLast && message === last && message.role === 'assistant'}
              focusable={index === 0 && start < messages.length - RECENT_MESSAGES}
            />
            {message.role === 'user' && <CorrectionSlot message={message} />}
          </Fragment>
        ))}
      </ol>
    </>
  );
}

/** The conversation, newest at the bottom, following the reply as it streams in. */
export function MessageList() {
  const store = useStore();
  const end = useRef<HTMLDivElement>(null);
  const messages = store.messages.value;
  const last = messages[messages.length - 1];
  // The newest sentence's card arriving is followed too; a change to an older card is not, nor
  // earlier messages brought back above.
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const lastCard = lastUser ? store.cards.value[lastUser.id]?.status : undefined;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [last?.id, last?.text, lastCard]);

  // Listening practice: the reply being spoken shows its text only once it has been heard.
  const hideLast =
    store.settings.value.hideTextUntilHeard && (store.phase.value === 'thinking' || store.phase.value === 'speaking');
  if (!store.ready.value) return <p class="empty">{t('conversation.loading')}</p>;
  return (
    <section aria-label={t('conversation.label')}>
      {store.conversation.value && <h2 class="conversation-title">{titleOf(store.conversation.value)}</h2>}
      {messages.length === 0 ? (
        <p class="empty">{store.hasKey.value ? t('conversation.emptyReady') : t('conversation.emptyNoKey')}</p>
      ) : (
        <RecentMessages
          key={store.conversation.value?.id}
          messages={messages}
          earlier={store.earlierMessages.value}
          hideLast={hideLast}
        />
      )}
      <div ref={end} />
    </section>
  );
}
