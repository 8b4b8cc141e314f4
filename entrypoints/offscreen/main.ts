import { AudioPlayer, TeacherVoice, browserPlayerContext } from '@/utils/audio-player';
import { onMessage, sendMessage, type RecorderEvent, type SpeechEvent } from '@/utils/messages';
import { Recorder } from '@/utils/recorder';

/**
 * The offscreen document: the only context that may hold the microphone and play audio while the
 * learner reads any page. It has chrome.runtime and nothing else (no storage), so everything it
 * needs arrives in messages; it answers the panel and reports progress as 'sidepanel:*' events.
 */

/** With nothing recorded or played for this long, the service worker may close the document. */
const IDLE_MS = 60_000;
const IDLE_CHECK_MS = 5_000;

let lastActivity = Date.now();
const touch = (): void => {
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

const recorder = new Recorder((event: RecorderEvent) => {
  touch();
  tell(() => sendMessage('sidepanel:recorder-event', event));
});
const voice = new TeacherVoice(new AudioPlayer(browserPlayerContext), (event: SpeechEvent) => {
  touch();
  // While the teacher talks, the learner listening is not the learner being silent.
  if (event.type === 'started' || event.type === 'ended') recorder.restartIdleTimer();
  tell(() => sendMessage('sidepanel:speech-event', event));
});

onMessage('offscreen:start-recording', ({ data }) => {
  touch();
  return recorder.start(data);
});
onMessage('offscreen:stop-recording', () => {
  touch();
  return recorder.stop();
});
onMessage('offscreen:cancel-recording', () => {
  touch();
  return recorder.cancel();
});
onMessage('offscreen:speak', ({ data }) => {
  touch();
  return voice.speak(data);
});
onMessage('offscreen:end-speech', ({ data }) => {
  touch();
  voice.end(data.turnId);
});
onMessage('offscreen:stop-speech', () => {
  touch();
  return voice.stop();
});
onMessage('offscreen:status', () => ({ recording: recorder.recording, speaking: voice.speaking }));

setInterval(() => {
  if (recorder.recording || voice.speaking) {
    touch();
    return;
  }
  if (Date.now() - lastActivity < IDLE_MS) return;
  // Asked again only after another idle minute, in case a turn kept the document open.
  touch();
  tell(() => sendMessage('background:offscreen-idle'));
}, IDLE_CHECK_MS);
