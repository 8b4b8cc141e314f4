import type { TalkPhase } from './store/turn-machine';
import { useStore } from './store-context';

const LABELS: Record<TalkPhase, { button: string; status: string }> = {
  idle: { button: 'Talk', status: 'Ready — press Talk and speak.' },
  preparing: { button: 'Starting…', status: 'Starting the microphone…' },
  listening: { button: 'Stop listening', status: 'Listening — start speaking when you are ready.' },
  recording: { button: 'Stop and send', status: 'Recording' },
  stopping: { button: 'Sending…', status: 'Saving your recording…' },
  transcribing: { button: 'Transcribing…', status: 'Transcribing what you said…' },
  thinking: { button: 'Interrupt and talk', status: 'The teacher is thinking…' },
  speaking: { button: 'Interrupt and talk', status: 'The teacher is speaking — press Talk to interrupt.' },
};

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The Talk button and the state of the turn, always visible at the bottom of the panel. */
export function TalkBar() {
  const store = useStore();
  const phase = store.phase.value;
  const labels = LABELS[phase];
  // The shortcut as Chrome has it: the learner may have changed it, or another extension took it.
  const idleHint = store.shortcut.value
    ? `Ready — press Talk or ${store.shortcut.value} and speak.`
    : 'Ready — press Talk and speak. (Set a shortcut at chrome://extensions/shortcuts.)';
  const recording = phase === 'recording';
  const waiting = phase === 'preparing' || phase === 'stopping' || phase === 'transcribing';
  return (
    <footer class={`talk-bar phase-${phase}`}>
      <button
        type="button"
        class="talk-button"
        aria-pressed={recording || phase === 'listening'}
        aria-busy={waiting}
        disabled={!store.ready.value}
        onClick={store.toggleTalk}
      >
        {labels.button}
      </button>
      <div class="talk-status">
        <p role="status" aria-live="polite" data-phase={phase}>
          {phase === 'idle' ? idleHint : labels.status}
          {recording && <span class="elapsed"> {formatElapsed(store.elapsedMs.value)}</span>}
          {store.handsFree.value && phase !== 'idle' && <span class="hands-free-badge"> · hands-free</span>}
        </p>
        {(recording || phase === 'listening') && (
          <meter
            class="level"
            aria-label="Microphone level"
            min={0}
            max={1}
            low={0.02}
            high={0.5}
            value={Math.min(1, store.level.value * 4)}
          />
        )}
      </div>
    </footer>
  );
}
