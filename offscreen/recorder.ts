import { newId, putRecording, type Recording } from '../core/db';
import { createHandoverSender } from '../core/recording-handover';
import {
  now,
  type RecorderEvent,
  type StartRecordingReply,
  type StartRecordingRequest,
  type SavedRecording,
  type StopRecordingReply,
} from '../core/messages';
import { VoiceActivityDetector, rmsOf, type VoiceActivityEvent } from './voice-activity';
import { microphonePermission } from '../core/microphone-permission';
import { describeStorageError } from '../core/storage-errors';
import { t } from '../core/i18n';

/**
 * The learner's microphone, in the offscreen document: records one turn as webm/opus, measures
 * the input level for the panel's meter, runs the voice-activity detector, and saves the
 * recording to IndexedDB before anyone tries to upload it. The microphone is open only while a
 * turn is being recorded, so the browser's recording indicator goes off between turns.
 */

/** Small chunks, so stopping waits only for the last fraction of a second of audio. */
export const TIMESLICE_MS = 250;
/** Speech is intelligible to Whisper well below this; a minute of it is about 240 kB. */
export const AUDIO_BITS_PER_SECOND = 32_000;
export const PREFERRED_MIME_TYPE = 'audio/webm;codecs=opus';
const LEVEL_INTERVAL_MS = 100;
/**
 * A push-to-talk turn nobody ends (the panel was closed mid-turn) must not keep the microphone
 * open for ever; five minutes is far beyond any answer and far below Whisper's 25 MB.
 */
export const MAX_RECORDING_MS = 5 * 60_000;

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

export interface RecorderEnvironment {
  openMicrophone(): Promise<Microphone>;
  microphonePermission(): Promise<PermissionState | 'unknown'>;
  saveRecording(recording: Recording): Promise<void>;
  /**
   * Hands the audio to the panel that recorded it at once (core/recording-handover.ts); with it,
   * the stop is answered while the save is still being written.
   */
  handOver?(panelId: string, recordingId: string, blob: Blob): void;
}

interface Session {
  request: StartRecordingRequest;
  microphone: Microphone;
  recording: { mimeType: string; stop(): void };
  closeTap: () => Promise<void>;
  chunks: Blob[];
  startedAt: number;
  detector: VoiceActivityDetector;
  peakLevel: number;
  levelSquares: number;
  levelSamples: number;
  levelMs: number;
  audioMs: number;
  stopped: Promise<void>;
  failure?: string;
  ending?: Promise<StopRecordingReply | undefined>;
}

export class Recorder {
  private session: Session | undefined;
  private starting: Promise<StartRecordingReply> | undefined;
  /** The panel whose start is in flight. */
  private startingFor: string | undefined;

  constructor(
    /** Every event names the panel that owns the recording it is about. */
    private readonly emit: (panelId: string, event: RecorderEvent) => void,
    private readonly env: RecorderEnvironment = browserRecorderEnvironment(),
  ) {}

  get recording(): boolean {
    return this.session !== undefined || this.starting !== undefined;
  }

  /** The panel that owns the microphone now, if any. */
  get owner(): string | undefined {
    return this.startingFor ?? this.session?.request.panelId;
  }

  /**
   * Hands-free listens on while the teacher speaks, so the learner can interrupt; time spent
   * listening to the teacher is not the learner's silence, so the idle timeout starts again.
   */
  restartIdleTimer(): void {
    this.session?.detector.restartIdleTimer();
  }

  start(request: StartRecordingRequest): Promise<StartRecordingReply> {
    const owner = this.owner;
    // One microphone, one owner: a panel in another window never shares (or ends) this turn.
    if (owner !== undefined && owner !== request.panelId && !this.session?.ending) {
      return Promise.resolve({ status: 'busy' });
    }
    if (this.starting) {
      return this.starting.then((reply) =>
        reply.status === 'recording' ? { status: 'already-recording', startedAt: reply.startedAt } : reply,
      );
    }
    if (this.session && !this.session.ending) {
      // Asked to listen again while still listening (hands-free, after the teacher's reply):
      // the learner's silence counts from now.
      this.restartIdleTimer();
      return Promise.resolve({ status: 'already-recording', startedAt: this.session.startedAt });
    }
    const previous = this.session?.ending;
    this.startingFor = request.panelId;
    this.starting = (async () => {
      // A turn the detector is still saving finishes first; the new one gets the microphone after.
      if (previous) await previous;
      return this.open(request);
    })().finally(() => {
      this.starting = undefined;
      this.startingFor = undefined;
    });
    return this.starting;
  }

  /** Stops, saves to IndexedDB, and says how long each step took. Only the owner can stop. */
  async stop(panelId: string): Promise<StopRecordingReply> {
    if (this.starting) await this.starting;
    const session = this.session;
    if (!session || session.request.panelId !== panelId) return { status: 'not-recording' };
    session.ending ??= this.end(session, true);
    return (await session.ending) ?? { status: 'not-recording' };
  }

  /** Stops and throws the audio away. */
  async cancel(panelId: string): Promise<void> {
    if (this.starting) await this.starting;
    const session = this.session;
    if (!session || session.request.panelId !== panelId) return;
    session.ending ??= this.end(session, false);
    await session.ending;
  }

  private async open(request: StartRecordingRequest): Promise<StartRecordingReply> {
    let microphone: Microphone;
    try {
      microphone = await this.env.openMicrophone();
    } catch (error) {
      return this.explainFailure(error);
    }
    try {
      const chunks: Blob[] = [];
      let markStopped = (): void => undefined;
      const stopped = new Promise<void>((resolve) => (markStopped = resolve));
      const handsFree = request.handsFree;
      // Push-to-talk still runs the detector, only to tell a silent recording from speech: the
      // learner decides when the turn ends, so its own end and idle decisions are switched off.
      const detector = new VoiceActivityDetector(
        handsFree ? request.vad : { endSilenceMs: Infinity, idleTimeoutMs: Infinity, maxTurnMs: Infinity },
      );
      const session: Session = {
        request,
        microphone,
        chunks,
        detector,
        startedAt: now(),
        peakLevel: 0,
        levelSquares: 0,
        levelSamples: 0,
        levelMs: 0,
        audioMs: 0,
        stopped,
        recording: { mimeType: '', stop: () => undefined },
        closeTap: async () => undefined,
      };
      session.recording = microphone.record(TIMESLICE_MS, {
        onData: (chunk) => {
          if (chunk.size > 0) chunks.push(chunk);
        },
        onStop: markStopped,
        onError: (message) => {
          session.failure = message;
          markStopped();
          this.emit(request.panelId, { type: 'error', message: t('recorder.failed', { detail: message }) });
          session.ending ??= this.end(session, false);
        },
      });
      session.closeTap = microphone.tap((samples, sampleRate) => this.onFrame(session, samples, sampleRate));
      this.session = session;
      return { status: 'recording', startedAt: session.startedAt };
    } catch (error) {
      microphone.release();
      return { status: 'error', message: t('recorder.couldNotStart', { detail: describe(error) }) };
    }
  }

  private onFrame(session: Session, samples: Float32Array, sampleRate: number): void {
    if (session.ending || this.session !== session) return;
    const frameMs = (samples.length / sampleRate) * 1000;
    const rms = rmsOf(samples);
    session.peakLevel = Math.max(session.peakLevel, rms);
    session.levelSquares += rms * rms * samples.length;
    session.levelSamples += samples.length;
    session.levelMs += frameMs;
    if (session.levelMs >= LEVEL_INTERVAL_MS) {
      const level = Math.sqrt(session.levelSquares / session.levelSamples);
      this.emit(session.request.panelId, { type: 'level', level, elapsedMs: Math.round(now() - session.startedAt) });
      session.levelSquares = 0;
      session.levelSamples = 0;
      session.levelMs = 0;
    }
    session.audioMs += frameMs;
    if (session.audioMs >= MAX_RECORDING_MS) {
      this.autoStop(session);
      return;
    }
    const event = session.detector.processLevel(rms, frameMs);
    if (event) this.onVoiceActivity(session, event);
  }

  /** The recorder ends the turn itself and hands the saved recording to the panel. */
  private autoStop(session: Session): void {
    session.ending ??= this.end(session, true);
    void session.ending.then((result) => {
      if (result) this.emit(session.request.panelId, { type: 'auto-stopped', result });
    });
  }

  private onVoiceActivity(session: Session, event: VoiceActivityEvent): void {
    // Push-to-talk: the learner's own presses start and end the turn; nothing to announce.
    if (!session.request.handsFree) return;
    if (event.type === 'speech-start') {
      this.emit(session.request.panelId, { type: 'speech-start', at: now() });
      return;
    }
    if (event.type === 'end-of-turn') {
      this.autoStop(session);
    } else {
      session.ending ??= this.end(session, false);
      void session.ending.then(() => this.emit(session.request.panelId, { type: 'idle-timeout' }));
    }
  }

  /** Stops the recorder, releases the microphone, and saves the audio when `save` is set. */
  private async end(session: Session, save: boolean): Promise<StopRecordingReply | undefined> {
    const stopRequestedAt = now();
    try {
      session.recording.stop();
      // Resolves on the recorder's own 'stop' event, right after the last chunk: no fixed wait.
      await session.stopped;
    } catch (error) {
      session.failure ??= describe(error);
    }
    const stoppedAt = now();
    // The audio is handed over and its write started first, then the tracks stop (the microphone
    // is free before the stop is answered). Closing the level meter's audio context is not waited
    // for: it holds no microphone. Recorder stopped → stop answered in the panel went from 7–12 ms
    // to 6–10 ms (bench, 6 turns each).
    const kept = save ? this.keep(session, stopRequestedAt, stoppedAt) : undefined;
    void this.release(session);
    return kept;
  }

  /**
   * Hands the audio to the panels and saves it in IndexedDB; what the panel is told of it. When
   * the audio was handed over, the stop is answered at once and the write runs beside the upload
   * (the panel waits for 'recording-stored' before it reads or deletes it in IndexedDB); else the
   * stop is answered once the audio is stored.
   */
  private async keep(session: Session, stopRequestedAt: number, stoppedAt: number): Promise<StopRecordingReply> {
    if (session.failure) return { status: 'error', message: t('recorder.failed', { detail: session.failure }) };
    const { panelId, conversationId } = session.request;
    const purpose = session.request.purpose ?? 'turn';
    let writing: Promise<void>;
    let handedOver = false;
    let reply: Omit<SavedRecording, 'writing' | 'savedAt'>;
    try {
      const mimeType = session.recording.mimeType || PREFERRED_MIME_TYPE;
      const blob = new Blob(session.chunks, { type: mimeType });
      const recordingId = newId();
      const durationMs = Math.round(stoppedAt - session.startedAt);
      if (this.env.handOver) {
        try {
          this.env.handOver(panelId, recordingId, blob);
          handedOver = true;
        } catch {
          // Only a shortcut: the panel reads the recording from IndexedDB without it.
        }
      }
      writing = this.env.saveRecording({
        id: recordingId,
        conversationId,
        blob,
        bytes: blob.size,
        mimeType,
        durationMs,
        createdAt: Date.now(),
        purpose,
      });
      reply = {
        status: 'saved',
        recordingId,
        conversationId,
        purpose,
        mimeType,
        bytes: blob.size,
        durationMs,
        peakLevel: session.peakLevel,
        speechDetected: session.detector.speechDetected,
        stopRequestedAt,
        stoppedAt,
      };
    } catch (error) {
      return { status: 'error', message: this.saveFailure(error) };
    }
    if (handedOver) {
      const { recordingId } = reply;
      writing.then(
        () => this.emit(panelId, { type: 'recording-stored', recordingId, at: now() }),
        (error: unknown) =>
          this.emit(panelId, { type: 'recording-store-failed', recordingId, message: this.saveFailure(error) }),
      );
      return { ...reply, writing: true };
    }
    try {
      await writing;
    } catch (error) {
      return { status: 'error', message: this.saveFailure(error) };
    }
    return { ...reply, writing: false, savedAt: now() };
  }

  private saveFailure(error: unknown): string {
    return describeStorageError(error) ?? t('recorder.couldNotSave', { detail: describe(error) });
  }

  private async release(session: Session): Promise<void> {
    session.microphone.release();
    if (this.session === session) this.session = undefined;
    try {
      await session.closeTap();
    } catch {
      // A context that fails to close holds no microphone: the tracks are already stopped.
    }
  }

  private async explainFailure(error: unknown): Promise<StartRecordingReply> {
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
      // Offscreen documents cannot show the prompt, so a microphone never allowed fails like a
      // denied one; the permission state tells the two apart.
      const state = await this.env.microphonePermission();
      return state === 'prompt' ? { status: 'permission-needed' } : { status: 'permission-denied' };
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
      return { status: 'no-microphone' };
    }
    if (name === 'NotReadableError') {
      return {
        status: 'error',
        message: t('recorder.micInUse'),
      };
    }
    return { status: 'error', message: t('recorder.couldNotOpen', { detail: describe(error) }) };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return `${error.name}: ${error.message}`;
  return String(error);
}

// Echo cancellation keeps the teacher's own voice out of the recording and out of the
// detector (hands-free barge-in would otherwise trigger on it).
const MICROPHONE_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
};

/** Frames of 1024 samples: ~21 ms at 48 kHz, fine enough for turn-taking decisions. */
const FRAME_SIZE = 1024;

export function browserRecorderEnvironment(): RecorderEnvironment {
  return {
    async openMicrophone() {
      const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE_CONSTRAINTS);
      return browserMicrophone(stream);
    },
    microphonePermission,
    saveRecording: putRecording,
    handOver: createHandoverSender(),
  };
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
