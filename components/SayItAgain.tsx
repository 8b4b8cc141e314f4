import type { AttemptComparison, WordVerdict } from '@/utils/word-diff';

/**
 * "Say it again": one button that starts and stops a recording of the corrected sentence, and the
 * word-by-word result of the attempt. Used by the correction card and the notebook.
 */

export type DrillState =
  | { status: 'idle' }
  | { status: 'recording' }
  | { status: 'transcribing' }
  | { status: 'done'; said: string; comparison: AttemptComparison }
  | { status: 'failed'; message: string };

function Word({ verdict }: { verdict: WordVerdict }) {
  switch (verdict.status) {
    case 'right':
      return (
        <li class="word word-right">
          {verdict.expected} <span class="word-mark" aria-hidden="true">✓</span>
          <span class="visually-hidden">(right)</span>
        </li>
      );
    case 'wrong':
      return (
        <li class="word word-wrong">
          {verdict.expected} <span class="word-note">(you said “{verdict.said}”)</span>
        </li>
      );
    case 'missed':
      return (
        <li class="word word-missed">
          {verdict.expected} <span class="word-note">(missed)</span>
        </li>
      );
    case 'extra':
      return (
        <li class="word word-extra">
          <span class="word-note">(extra)</span> {verdict.said}
        </li>
      );
  }
}

export function AttemptResult({ comparison, said }: { comparison: AttemptComparison; said: string }) {
  return (
    <div class="attempt">
      <p role="status" class={comparison.allRight ? 'attempt-success' : 'attempt-summary'}>
        {comparison.allRight
          ? 'Every word right. Well done!'
          : `${comparison.right} of ${comparison.total} words right. Try again when you are ready.`}
      </p>
      <ol class="attempt-words" aria-label="Your words">
        {comparison.words.map((verdict, index) => (
          <Word key={index} verdict={verdict} />
        ))}
      </ol>
      {!comparison.allRight && <p class="attempt-said">We heard: “{said || '…'}”</p>}
    </div>
  );
}

export interface SayItAgainProps {
  /** The sentence to say, shown so the learner can read it while speaking. */
  target: string;
  drill: DrillState;
  /** Starts the recording, or stops it while recording (like the talk button). */
  onPress(): void;
  disabled?: boolean;
}

export function SayItAgain({ target, drill, onPress, disabled = false }: SayItAgainProps) {
  const recording = drill.status === 'recording';
  return (
    <div class="say-again">
      <button
        type="button"
        class={recording ? 'say-again-button recording' : 'say-again-button'}
        aria-pressed={recording}
        disabled={disabled || drill.status === 'transcribing'}
        onClick={onPress}
      >
        {recording ? 'Stop' : drill.status === 'transcribing' ? 'Checking…' : 'Say it again'}
      </button>
      {recording && <p class="say-again-target" role="status">Say: “{target}”</p>}
      {drill.status === 'failed' && <p class="say-again-error" role="alert">{drill.message}</p>}
      {drill.status === 'done' && <AttemptResult comparison={drill.comparison} said={drill.said} />}
    </div>
  );
}
