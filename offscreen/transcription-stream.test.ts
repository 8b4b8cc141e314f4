import { describe, expect, it } from 'vitest';
import { Downsampler, STREAM_SAMPLE_RATE, TranscriptionStream } from './transcription-stream';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

const VERBOSE = {
  text: 'Yesterday I go to the park.',
  duration: 1,
  words: [{ word: 'Yesterday', start: 0, end: 0.4 }],
};

/** The companion's streaming endpoint as its README describes it, with a scripted answer per call. */
function companion(answer: (call: Sent, index: number) => Response | Error = () => new Response()) {
  const sent: Sent[] = [];
  const fetcher = async (url: string, init: RequestInit): Promise<Response> => {
    const call: Sent = {
      url,
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body as Uint8Array),
    };
    sent.push(call);
    const scripted = answer(call, sent.length - 1);
    if (scripted instanceof Error) throw scripted;
    if (scripted.status !== 200 || scripted.body) return scripted;
    if (url.endsWith('/stream')) return Response.json({ id: 's1', sample_rate: 16000, format: 'pcm_s16le' });
    if (url.endsWith('/end')) return Response.json(VERBOSE);
    return Response.json({ seconds: 0, transcribed: 0 }, { status: 202 });
  };
  return { sent, fetcher };
}

const CONFIG = { companionUrl: 'http://127.0.0.1:8730', token: '', prompt: '' };

/** `seconds` of a 48 kHz tone in the 128-sample frames an AudioWorklet delivers. */
function speak(stream: TranscriptionStream, seconds: number, rate = 48_000): number {
  const frames = Math.round((seconds * rate) / 128);
  for (let f = 0; f < frames; f++) {
    const samples = new Float32Array(128);
    for (let i = 0; i < 128; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 220 * (f * 128 + i)) / rate);
    stream.push(samples, rate);
  }
  return frames * 128;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const pcmBytes = (sent: Sent[]) =>
  sent.filter((c) => c.url.includes('/stream/')).reduce((sum, c) => sum + (c.body as Uint8Array).length, 0);

describe('TranscriptionStream: the recording sent to the companion while the learner speaks', () => {
  it('opens a verbatim verbose_json stream, sends 16 kHz PCM pieces in order, and the second press gets the transcript', async () => {
    const { sent, fetcher } = companion();
    const stream = new TranscriptionStream({ ...CONFIG, prompt: 'Umm, let me think like, hmm.' }, fetcher);
    let spoken = 0;
    for (let i = 0; i < 8; i++) {
      spoken += speak(stream, 0.25);
      await settle();
    }
    expect(await stream.end()).toEqual(VERBOSE);

    expect(sent[0]?.url).toBe('http://127.0.0.1:8730/v1/audio/transcriptions/stream');
    expect(JSON.parse(sent[0]?.body as string)).toEqual({
      response_format: 'verbose_json',
      language: 'en',
      temperature: 0,
      prompt: 'Umm, let me think like, hmm.',
    });
    const pieces = sent.slice(1, -1);
    // Sent while speaking, not all at the end.
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.every((c) => c.url.endsWith('/stream/s1') && c.headers['Content-Type'] === 'audio/pcm')).toBe(true);
    expect(sent.at(-1)?.url).toBe('http://127.0.0.1:8730/v1/audio/transcriptions/stream/s1/end');
    // What was said at 48 kHz arrives whole at 16 kHz, 16-bit: nothing lost or repeated.
    expect(pcmBytes(sent)).toBe(Math.floor(spoken / (48_000 / STREAM_SAMPLE_RATE)) * 2);
    expect(sent.every((c) => c.headers.Authorization === undefined)).toBe(true);
    expect(stream.failure).toBeUndefined();
  });

  it('sends the companion token when one is set', async () => {
    const { sent, fetcher } = companion();
    const stream = new TranscriptionStream({ ...CONFIG, token: 'secret-token' }, fetcher);
    speak(stream, 0.5);
    await stream.end();
    expect(sent.map((c) => c.headers.Authorization)).toEqual(sent.map(() => 'Bearer secret-token'));
  });

  it('gives null at the second press when a piece was refused, and sends nothing more after it', async () => {
    const { sent, fetcher } = companion((call, index) =>
      index === 2 ? Response.json({ error: { message: 'stream not found' } }, { status: 404 }) : new Response(),
    );
    const stream = new TranscriptionStream(CONFIG, fetcher);
    for (let i = 0; i < 6; i++) {
      speak(stream, 0.25);
      await settle();
    }
    expect(await stream.end()).toBeNull();
    expect(stream.failure).toContain('404');
    expect(sent).toHaveLength(3);
    expect(sent.some((c) => c.url.endsWith('/end'))).toBe(false);
  });

  it('gives null when the companion cannot be reached or was started without --stt', async () => {
    const unreachable = new TranscriptionStream(CONFIG, companion(() => new TypeError('Failed to fetch')).fetcher);
    speak(unreachable, 0.5);
    expect(await unreachable.end()).toBeNull();
    expect(unreachable.failure).toBe('Failed to fetch');

    const noStt = new TranscriptionStream(
      CONFIG,
      companion(() => Response.json({ error: { message: 'start with --stt' } }, { status: 404 })).fetcher,
    );
    speak(noStt, 0.5);
    expect(await noStt.end()).toBeNull();
    expect(noStt.failure).toContain('start with --stt');
  });

  it('gives null when the end itself fails, so the panel uploads the recording', async () => {
    const { fetcher } = companion((call) =>
      call.url.endsWith('/end') ? new Response('busy', { status: 503 }) : new Response(),
    );
    const stream = new TranscriptionStream(CONFIG, fetcher);
    speak(stream, 0.5);
    expect(await stream.end()).toBeNull();
    expect(stream.failure).toContain('503');
  });

  it('sends nothing more once the turn is thrown away', async () => {
    const { sent, fetcher } = companion();
    const stream = new TranscriptionStream(CONFIG, fetcher);
    await settle();
    stream.cancel();
    speak(stream, 1);
    await settle();
    expect(sent).toHaveLength(1);
    expect(await stream.end()).toBeNull();
  });
});

describe('Downsampler', () => {
  it('brings 48 kHz to 16 kHz across pieces, keeping a steady level', () => {
    const down = new Downsampler(3);
    const a = down.push(new Float32Array(100).fill(0.5));
    const b = down.push(new Float32Array(200).fill(0.5));
    expect(a.length + b.length).toBe(100);
    expect([...a, ...b].every((v) => v === Math.round(0.5 * 32767))).toBe(true);
  });

  it('handles a rate that is not a multiple of 16 kHz (44.1 kHz) without drifting', () => {
    const down = new Downsampler(44_100 / 16_000);
    let total = 0;
    for (let i = 0; i < 441; i++) total += down.push(new Float32Array(100)).length;
    expect(total).toBe(16_000);
  });
});
