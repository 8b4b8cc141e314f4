import { t } from '@/core/i18n';
import type { TalkPhase } from './turn-machine';
import { useStore } from '../../panel/store-context';

/** The Talk button says what a press does now; its text, not its colour, carries the state. */
function labels(phase: TalkPhase): { button: string; status: string } {
  switch (phase) {
    case 'idle':
      return { button: t('talk.button.idle'), status: t('talk.readyNoShortcut') };
    case 'preparing':
      return { button: t('talk.button.preparing'), status: t('talk.status.preparing') };
    case 'listening':
      return { button: t('talk.button.listening'), status: t('talk.status.listening') };
    case 'recording':
      return { button: t('talk.button.recording'), status: t('talk.status.recording') };
    case 'stopping':
      return { button: t('talk.button.stopping'), status: t('talk.status.stopping') };
    case 'transcribing':
      return { button: t('talk.button.transcribing'), status: t('talk.status.transcribing') };
    case 'thinking':
      return { button: t('talk.button.thinking'), status: t('talk.status.thinking') };
    case 'speaking':
      return { button: t('talk.button.speaking'), status: t('talk.status.speaking') };
  }
}

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return t('talk.elapsed', { minutes: Math.floor(seconds / 60), seconds: String(seconds % 60).padStart(2, '0') });
}

/** The Talk button and the state of the turn, always visible at the bottom of the panel. */
export function TalkBar() {
  const store = useStore();
  const phase = store.phase.value;
  const text = labels(phase);
  // The shortcut as Chrome has it: the learner may have changed it, or another extension took it.
  const idleHint = store.shortcut.value ? t('talk.readyWithShortcut', { shortcut: store.shortcut.value }) : text.status;
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
        {text.button}
      </button>
      <div class="talk-status">
        <p role="status" aria-live="polite" data-phase={phase}>
          {phase === 'idle' ? idleHint : text.status}
          {recording && <span class="elapsed"> {formatElapsed(store.elapsedMs.value)}</span>}
          {store.handsFree.value && phase !== 'idle' && (
            <span class="hands-free-badge"> · {t('talk.handsFreeBadge')}</span>
          )}
        </p>
        {(recording || phase === 'listening') && (
          <meter
            class="level"
            aria-label={t('talk.micLevel')}
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
