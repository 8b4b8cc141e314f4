import { keepAbandonedRecording } from './abandoned-recording';
import type { AudioPlayer } from './audio-player';
import { OFFSCREEN_CLOSING, onMessage, sendMessage, type RecorderEvent, type SpeechEvent } from '../core/messages';
import { watchPanels } from '../core/panel-link';
import { getRecording } from '../core/db/recordings';
import { browserRecorderEnvironment, Recorder, type RecorderEnvironment } from './recorder';
import { createPracticeAudio } from './judging/practice-audio';
import { browserJudging } from './judging/browser-judging';
import type { PronunciationJudging } from './judging/pronunciation-judging';
import { TeacherVoice } from './teacher-voice';

/**
 * What the offscreen document does: the only context that may hold the microphone and play audio
 * while the learner reads any page. It has chrome.runtime and nothing else (no storage), so
 * everything it needs arrives in messages; it answers the panel and reports progress as
 * 'sidepanel:*' events. Each panel holds a port open to it: when a panel goes away, what that
 * panel owned stops. The browser's microphone and speakers are passed in, so tests run this same
 * service with stand-ins.
 */

/** With nothing recorded or played for this long, the service worker may close the document. */
const IDLE_MS = 60_000;
const IDLE_CHECK_MS = 5_000;
/**
 * The close follows the document's yes within milliseconds. A document still here this long after
 * it was not closed at all (the service worker was stopped between the two): it takes work again,
 * rather than refusing every press until the extension is reloaded.
 */
const CLOSE_WAIT_MS = 5_000;

export interface OffscreenServiceOptions<B extends { readonly duration: number }> {
  player: AudioPlayer<B>;
  recorderEnvironment?: RecorderEnvironment;
  fetchImpl?: typeof fetch;
  /**
   * The pronunciation judge, given the practice attempts' audio this document still holds; by default the
   * worker of offscreen/judging/judge-worker.ts.
   */
  judging?: (audioOf: (recordingId: string) => Promise<Blob | undefined>) => PronunciationJudging;
}

export function startOffscreenService<B extends { readonly duration: number }>(
  options: OffscreenServiceOptions<B>,
): { stop(): void } {
  let lastActivity = Date.now();
  /** Agreed to close until then: no new work is taken (see 'offscreen:prepare-close'). */
  let closingUntil = 0;
  const closing = (): boolean => Date.now() < closingUntil;

  /** Marks activity, and refuses new work once the document has agreed to close. */
  const touch = (): void => {
    if (closing()) throw new Error(OFFSCREEN_CLOSING);
    lastActivity = Date.now();
  };

  /** Events go to the panel if it is open; a closed panel is normal, not an error. */
  function tell(send: () => Promise<void>): void {
    send().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (/Receiving end does not exist|No response|message port closed/i.test(message)) return;
      console.warn('AITalk offscreen: could not reach the side panel', message);
    });
  }

  // A practice attempt's audio is kept in memory for its judgement, which is asked for while the recording is
  // still being written; after that, IndexedDB has it (until the panel deletes it, once judged).
  const practiceAudio = createPracticeAudio();
  const environment = options.recorderEnvironment ?? browserRecorderEnvironment();
  const recorder = new Recorder(
    (panelId: string, event: RecorderEvent) => {
      lastActivity = Date.now();
      tell(() => sendMessage('sidepanel:recorder-event', { panelId, event }));
    },
    {
      ...environment,
      saveRecording(recording) {
        if (recording.purpose === 'practice') practiceAudio.keep(recording.id, recording.blob);
        return environment.saveRecording(recording);
      },
    },
  );
  const judging = (options.judging ?? browserJudging)(
    async (recordingId) => practiceAudio.get(recordingId) ?? (await getRecording(recordingId))?.blob,
  );
  const voice = new TeacherVoice(
    options.player,
    (event: SpeechEvent) => {
      lastActivity = Date.now();
      // While the teacher talks, the learner listening is not the learner being silent.
      if (event.type === 'started' || event.type === 'ended') recorder.restartIdleTimer();
      tell(() => sendMessage('sidepanel:speech-event', event));
    },
    options.fetchImpl,
  );

  watchPanels(async (panelId) => {
    // The panel closed or crashed: its teacher falls silent and its microphone is released now.
    // What it was recording is kept as an unsent turn the panel offers back when it reopens.
    if (voice.owner === panelId) voice.stop(panelId);
    if (recorder.owner !== panelId) return;
    const result = await recorder.stop(panelId);
    await keepAbandonedRecording(result);
  });

  onMessage('offscreen:start-recording', ({ data }) => {
    touch();
    // The reply will need the speakers within seconds: start them while the learner talks.
    options.player.warm();
    // And a practice attempt its judge.
    if (data.purpose === 'practice') judging.warm();
    return recorder.start(data);
  });
  onMessage('offscreen:stop-recording', ({ data }) => {
    touch();
    return recorder.stop(data.panelId);
  });
  onMessage('offscreen:cancel-recording', ({ data }) => {
    touch();
    return recorder.cancel(data.panelId);
  });
  onMessage('offscreen:speak', ({ data }) => {
    touch();
    return voice.speak(data);
  });
  onMessage('offscreen:end-speech', ({ data }) => {
    touch();
    voice.end(data.turnId);
  });
  onMessage('offscreen:stop-speech', ({ data }) => {
    touch();
    return voice.stop(data.panelId);
  });
  onMessage('offscreen:streamed-transcript', ({ data }) => {
    touch();
    return recorder.takeStreamed(data.recordingId);
  });
  onMessage('offscreen:judge-pronunciation', ({ data }) => {
    touch();
    return judging.judge(data);
  });
  onMessage('offscreen:status', () => ({ recording: recorder.recording, speaking: voice.speaking }));
  onMessage('offscreen:prepare-close', () => {
    if (closing()) return true;
    if (recorder.recording || voice.speaking || Date.now() - lastActivity < IDLE_MS) return false;
    closingUntil = Date.now() + CLOSE_WAIT_MS;
    return true;
  });
  onMessage('offscreen:close-failed', () => {
    closingUntil = 0;
  });

  let idleReportedAt = 0;
  const idleTimer = setInterval(() => {
    if (closing()) return;
    if (recorder.recording || voice.speaking) {
      lastActivity = Date.now();
      return;
    }
    const at = Date.now();
    // Reported again only after another idle minute, in case the background could not close it.
    if (at - lastActivity < IDLE_MS || at - idleReportedAt < IDLE_MS) return;
    idleReportedAt = at;
    tell(() => sendMessage('background:offscreen-idle'));
  }, IDLE_CHECK_MS);

  return {
    stop() {
      clearInterval(idleTimer);
      judging.dispose();
    },
  };
}
