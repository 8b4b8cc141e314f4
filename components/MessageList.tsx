import { useEffect, useRef } from 'preact/hooks';
import type { Message, TurnTimings } from '@/utils/db';
import { t } from '@/utils/i18n';
import { ListeningAids } from './ListeningAids';
import { useStore } from './store-context';

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

function MessageItem({ message, hidden }: { message: Message; hidden: boolean }) {
  const store = useStore();
  const who = message.role === 'user' ? t('conversation.you') : t('conversation.teacher');
  return (
    <li class={`message message-${message.role} status-${message.status}`} data-status={message.status}>
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
      {message.status === 'unsent' && (
        <div class="message-unsent">
          <p class="message-note">{t('conversation.unsentNote')}</p>
          <button type="button" disabled={store.phase.value !== 'idle'} onClick={() => store.sendUnsent(message.id)}>
            {t('conversation.send')}
          </button>
          <button
            type="button"
            class="quiet"
            onClick={() => void store.deleteUnsent(message.id)}
          >
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

/** The conversation, newest at the bottom, following the reply as it streams in. */
export function MessageList() {
  const store = useStore();
  const end = useRef<HTMLDivElement>(null);
  const messages = store.messages.value;
  const last = messages[messages.length - 1];
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, last?.text]);

  // Listening practice: the reply being spoken shows its text only once it has been heard.
  const hideLast = store.settings.value.hideTextUntilHeard && (store.phase.value === 'thinking' || store.phase.value === 'speaking');
  if (!store.ready.value) return <p class="empty">{t('conversation.loading')}</p>;
  return (
    <section aria-label={t('conversation.label')}>
      {store.conversation.value && <h2 class="conversation-title">{store.conversation.value.title}</h2>}
      {messages.length === 0 ? (
        <p class="empty">
          {store.hasKey.value
            ? t('conversation.emptyReady')
            : t('conversation.emptyNoKey')}
        </p>
      ) : (
        <ol class="messages">
          {messages.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              hidden={hideLast && message === last && message.role === 'assistant'}
            />
          ))}
        </ol>
      )}
      <div ref={end} />
    </section>
  );
}
