import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Message, TurnTimings } from '@/utils/db';
import { correctedSentenceOf } from '@/utils/notebook';
import { CorrectionCard } from './CorrectionCard';
import { drillBlocked, drillOf } from './drill';
import { cardTarget } from './store/corrections-store';
import { useStore } from './store-context';

const TIMING_STEPS: Array<[keyof TurnTimings, string]> = [
  ['stopPressedAt', 'You pressed stop'],
  ['recordingStoppedAt', 'Recording stopped'],
  ['uploadSentAt', 'Upload sent'],
  ['transcriptAt', 'Transcript'],
  ['firstTokenAt', 'First token'],
  ['firstSentenceAt', 'First sentence'],
  ['firstAudioAt', 'First audio'],
];

function Timings({ timings }: { timings: TurnTimings }) {
  const start = timings.stopPressedAt ?? timings.chatSentAt;
  if (start === undefined) return null;
  const rows = TIMING_STEPS.filter(([key]) => timings[key] !== undefined);
  return (
    <details class="timings">
      <summary>Timings</summary>
      <dl>
        {rows.map(([key, label]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd>+{Math.round((timings[key] ?? start) - start)} ms</dd>
          </div>
        ))}
        {timings.silencedAt !== undefined && timings.interruptedAt !== undefined && (
          <div>
            <dt>Silenced after interrupt</dt>
            <dd>{Math.round(timings.silencedAt - timings.interruptedAt)} ms</dd>
          </div>
        )}
      </dl>
    </details>
  );
}

function MessageItem({ message }: { message: Message }) {
  const store = useStore();
  const who = message.role === 'user' ? 'You' : 'Teacher';
  return (
    <li class={`message message-${message.role} status-${message.status}`} data-status={message.status}>
      <span class="message-who">{who}</span>
      <p class="message-text">
        {message.text ||
          (message.status === 'transcribing'
            ? 'Transcribing…'
            : message.status === 'streaming'
              ? '…'
              : message.status === 'recorded' || message.status === 'unsent'
                ? 'Recorded, not yet sent'
                : '')}
      </p>
      {message.status === 'unsent' && (
        <div class="message-unsent">
          <p class="message-note">You recorded this while the panel was closing. Send it to the teacher, or delete it.</p>
          <button type="button" disabled={store.phase.value !== 'idle'} onClick={() => store.sendUnsent(message.id)}>
            Send
          </button>
          <button
            type="button"
            class="quiet"
            onClick={() => void store.deleteUnsent(message.id)}
          >
            Delete
          </button>
        </div>
      )}
      {message.status === 'interrupted' && <p class="message-note">Interrupted — this is the part you heard.</p>}
      {message.status === 'failed' && (
        <div class="message-failed">
          <p class="message-note">{message.error ?? 'This turn failed.'}</p>
          {message.role === 'user' && (
            <button
              type="button"
              disabled={store.phase.value !== 'idle' && store.phase.value !== 'listening'}
              onClick={() => store.retry(message.id)}
            >
              Retry
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
      />
    </li>
  );
}

/** The conversation, newest at the bottom, following the reply as it streams in. */
export function MessageList() {
  const store = useStore();
  const end = useRef<HTMLDivElement>(null);
  const messages = store.messages.value;
  const last = messages[messages.length - 1];
  // The newest sentence's card arriving is followed too; a change to an older card is not.
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const lastCard = lastUser ? store.cards.value[lastUser.id]?.status : undefined;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, last?.text, lastCard]);

  if (!store.ready.value) return <p class="empty">Loading your conversation…</p>;
  return (
    <section aria-label="Conversation">
      {store.conversation.value && <h2 class="conversation-title">{store.conversation.value.title}</h2>}
      {messages.length === 0 ? (
        <p class="empty">
          {store.hasKey.value
            ? 'Press Talk and say something in English — the teacher will answer and correct you.'
            : 'Add your API key in Settings, then press Talk and speak.'}
        </p>
      ) : (
        <ol class="messages" aria-live="polite">
          {messages.map((message) => (
            <Fragment key={message.id}>
              <MessageItem message={message} />
              {message.role === 'user' && <CorrectionSlot message={message} />}
            </Fragment>
          ))}
        </ol>
      )}
      <div ref={end} />
    </section>
  );
}
