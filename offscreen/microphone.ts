import type { StartRecordingReply } from '../core/messages';
import { errorDetail } from '../core/storage-errors';
import { t } from '../core/i18n';

/**
 * The browser's microphone as the recorder uses it: a MediaRecorder for the webm/opus audio and a
 * tap for the frames the level meter and the voice-activity detector read, and, when it cannot be
 * opened, why, in the reply the panel expects.
 */

/** Speech is intelligible to Whisper well below this; a minute of it is about 240 kB. */
export const AUDIO_BITS_PER_SECOND = 32_000;
export const PREFERRED_MIME_TYPE = 'audio/webm;codecs=opus';

export interface RecordingHandlers {
  onData(chunk: Blob): void;
  onStop(): void;
  onError(message: string): void;
}

/** An open microphone. The browser implementation wraps a MediaStream; tests use a stand-in. */
export interface Microphone {
  /** Starts recording; `stop()` ends it with one last onData, then onStop. */
  record(timesliceMs: number, handlers: RecordingHandlers): { mimeType: string; stop(): void };
  /** Feeds contiguous frames of samples; the returned function ends the feed and frees its audio graph. */
  tap(onFrame: (samples: Float32Array, sampleRate: number) => void): () => Promise<void>;
  /** Stops every track. */
  release(): void;
}

/** Why getUserMedia failed, as the reply to the panel's start. */
export async function explainMicrophoneFailure(
  error: unknown,
  permission: () => Promise<PermissionState | 'unknown'>,
): Promise<StartRecordingReply> {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    // Offscreen documents cannot show the prompt, so a microphone never allowed fails like a
    // denied one; the permission state tells the two apart.
    return (await permission()) === 'prompt' ? { status: 'permission-needed' } : { status: 'permission-denied' };
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return { status: 'no-microphone' };
  }
  if (name === 'NotReadableError') {
    return { status: 'error', message: t('recorder.micInUse') };
  }
  return { status: 'error', message: t('recorder.couldNotOpen', { detail: errorDetail(error) }) };
}

// Echo cancellation keeps the teacher's own voice out of the recording and out of the
// detector (hands-free barge-in would otherwise trigger on it).
const MICROPHONE_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
};

/** Frames of 1024 samples: ~21 ms at 48 kHz, fine enough for turn-taking decisions. */
const FRAME_SIZE = 1024;

export async function openBrowserMicrophone(): Promise<Microphone> {
  const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE_CONSTRAINTS);
  return browserMicrophone(stream);
}

function browserMicrophone(stream: MediaStream): Microphone {
  return {
    record(timesliceMs, handlers) {
      const mimeType = MediaRecorder.isTypeSupported(PREFERRED_MIME_TYPE) ? PREFERRED_MIME_TYPE : '';
      const recorder = new MediaRecorder(stream, { mimeType, audioBitsPerSecond: AUDIO_BITS_PER_SECOND });
      recorder.addEventListener('dataavailable', (event) => handlers.onData(event.data));
      recorder.addEventListener('stop', () => handlers.onStop());
      recorder.addEventListener('error', (event) => {
        const error = (event as ErrorEvent).error as unknown;
        handlers.onError(error instanceof DOMException ? error.message : 'the recorder stopped unexpectedly');
      });
      recorder.start(timesliceMs);
      return {
        mimeType: recorder.mimeType || mimeType,
        stop() {
          if (recorder.state === 'inactive') handlers.onStop();
          else recorder.stop();
        },
      };
    },
    tap(onFrame) {
      // A ScriptProcessorNode runs on the audio clock: timers are throttled in a hidden
      // document and requestAnimationFrame never fires in an offscreen one.
      const context = new AudioContext();
      const source = context.createMediaStreamSource(stream);
      const processor = context.createScriptProcessor(FRAME_SIZE, 1, 1);
      processor.addEventListener('audioprocess', (event) => {
        onFrame(event.inputBuffer.getChannelData(0), event.inputBuffer.sampleRate);
      });
      source.connect(processor);
      // Chromium only runs a processor whose output goes somewhere; it writes silence.
      processor.connect(context.destination);
      void context.resume().catch(() => undefined);
      return async () => {
        source.disconnect();
        processor.disconnect();
        await context.close();
      };
    },
    release() {
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
