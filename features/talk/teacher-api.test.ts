// @vitest-environment node
// Node's own fetch talks to the stand-in over real HTTP, as the extension's fetch does.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { makeSpeechWav } from '../../script/lib/speech-wav';
import { REASONING, STANDIN_QUIRKS, startStandin, type Standin } from '../../script/openai-standin/server';
import { ApiProblem } from '../../core/api-errors';
import { apiEndpoints, type Endpoint } from '../settings/endpoints';
import { quirksOf, readQuirksAhead } from './server-quirks';
import { DEFAULT_SETTINGS, DEFAULT_TRANSCRIPTION_PROMPT } from '../settings/settings';
import { WHISPER_MAX_BYTES, recordingFile, streamReply, transcribe, type ChatTurn } from './teacher-api';

const SENTENCE = 'Yesterday I go to the park with my friend.';
const HISTORY: ChatTurn[] = [
  { role: 'system', content: 'You are a patient English teacher.' },
  { role: 'user', content: SENTENCE },
];

// Real HTTP, ffmpeg and pocketsphinx on a shared machine: the extension project's 5 s default is too tight.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let standin: Standin;
let dir: string;
let wav: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-teacher-api-'));
  standin = await startStandin({ latencyProfile: 'fast', candidates: [SENTENCE], latency: { replyWords: 30 } });
  const file = await makeSpeechWav([{ silenceMs: 300 }, SENTENCE, { silenceMs: 500 }], path.join(dir, 'learner.wav'), {
    sampleRate: 16_000,
  });
  wav = new Blob([await readFile(file)], { type: 'audio/wav' });
});

afterAll(async () => {
  await standin?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fakeBrowser.reset();
  standin.control.reset();
});

function endpoints(overrides: Partial<typeof DEFAULT_SETTINGS> = {}, apiKey = standin.apiKey) {
  return apiEndpoints({ ...DEFAULT_SETTINGS, apiBaseUrl: standin.url, ...overrides }, { apiKey, transcriptionKey: '' });
}

async function reply(chat: Endpoint = endpoints().chat) {
  const deltas: string[] = [];
  const text = await streamReply(chat, HISTORY, (delta) => deltas.push(delta));
  return { text, deltas };
}

const chatRequests = () => standin.requests.filter((r) => r.endpoint === 'chat');
const transcriptionRequests = () => standin.requests.filter((r) => r.endpoint === 'transcriptions');

describe('transcription uploads', () => {
  it('go up as a named file of the recording’s type, never as "unknown_file"', () => {
    const file = recordingFile(new Blob(['x']), 'audio/webm;codecs=opus');
    expect(file.name).toBe('recording.webm');
    expect(file.type).toBe('audio/webm');
    expect(recordingFile(new Blob(['x']), 'audio/ogg;codecs=opus').name).toBe('recording.ogg');
  });

  it('refuses a recording over Whisper’s 25 MB limit before uploading anything', async () => {
    const huge = new Blob([new Uint8Array(WHISPER_MAX_BYTES + 1)], { type: 'audio/webm' });
    const attempt = transcribe(endpoints().transcription, huge, 'audio/webm');
    await expect(attempt).rejects.toMatchObject({ kind: 'too-large' });
    await expect(attempt).rejects.toThrow(/over the 25 MB/);
    expect(standin.requests).toHaveLength(0);
  });

  it('without a key for a server off this machine, asks for one instead of sending a request', async () => {
    const remote = apiEndpoints({ ...DEFAULT_SETTINGS }, { apiKey: '  ', transcriptionKey: '' });
    await expect(transcribe(remote.transcription, wav, 'audio/wav')).rejects.toMatchObject({ kind: 'no-key' });
    await expect(streamReply(remote.chat, [], () => undefined)).rejects.toBeInstanceOf(ApiProblem);
  });

  it('asks whisper-1 for a verbatim English transcript with word timings', async () => {
    const transcript = await transcribe(endpoints().transcription, wav, 'audio/wav');
    expect(transcript.text).toBe(SENTENCE);
    expect(transcript.durationS).toBeGreaterThan(2);
    expect(transcript.words?.map((w) => w.word)).toEqual([
      'Yesterday',
      'I',
      'go',
      'to',
      'the',
      'park',
      'with',
      'my',
      'friend',
    ]);
    // The first word starts after the 300 ms of silence, and times only go forward.
    expect(transcript.words?.[0]?.start).toBeGreaterThan(0.2);
    const ends = transcript.words?.map((w) => w.end) ?? [];
    expect([...ends].sort((a, b) => a - b)).toEqual(ends);
    const [request] = transcriptionRequests();
    expect(request?.valid).toBe(true);
    expect(request?.fields).toMatchObject({
      model: 'whisper-1',
      language: 'en',
      temperature: '0',
      prompt: DEFAULT_TRANSCRIPTION_PROMPT,
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
    });
  });

  it('asks other models for plain json (they have no word timings), still verbatim', async () => {
    const transcript = await transcribe(
      endpoints({ transcriptionModel: 'gpt-4o-mini-transcribe' }).transcription,
      wav,
      'audio/wav',
    );
    expect(transcript).toEqual({ text: SENTENCE });
    expect(transcriptionRequests()[0]?.fields).toMatchObject({
      response_format: 'json',
      language: 'en',
      prompt: DEFAULT_TRANSCRIPTION_PROMPT,
    });
  });

  it('sends no prompt when the learner cleared it', async () => {
    await transcribe(endpoints({ transcriptionPrompt: '' }).transcription, wav, 'audio/wav');
    expect(transcriptionRequests()[0]?.fields).not.toHaveProperty('prompt');
  });

  it('on a server that refuses verbose_json, falls back to json, keeps the prompt, and remembers it', async () => {
    standin.control.setQuirks(['no-verbose-json']);
    const endpoint = endpoints().transcription;
    expect((await transcribe(endpoint, wav, 'audio/wav')).text).toBe(SENTENCE);
    expect(transcriptionRequests().map((r) => r.status)).toEqual([400, 200]);
    expect(transcriptionRequests()[1]?.fields).toMatchObject({
      response_format: 'json',
      prompt: DEFAULT_TRANSCRIPTION_PROMPT,
      language: 'en',
    });
    expect(await quirksOf(standin.url)).toMatchObject({ noVerboseJson: true });

    standin.control.clearRequests();
    await transcribe(endpoint, wav, 'audio/wav');
    expect(transcriptionRequests().map((r) => r.status)).toEqual([200]);
  });

  it('uses what was read ahead while the learner spoke, unless the server refused something since', async () => {
    const endpoint = endpoints().transcription;
    readQuirksAhead(standin.url);
    // The read has begun (a learner speaks for seconds; here, one turn of the event loop).
    await Promise.resolve();
    const get = vi.spyOn(fakeBrowser.storage.local, 'get');
    await transcribe(endpoint, wav, 'audio/wav');
    expect(get.mock.calls).toEqual([]);

    // Read ahead, then a request learns that the server refuses verbose_json: the next upload
    // goes straight to json, not by way of the stale read.
    readQuirksAhead(standin.url);
    standin.control.setQuirks(['no-verbose-json']);
    await transcribe(endpoint, wav, 'audio/wav');
    standin.control.clearRequests();
    await transcribe(endpoint, wav, 'audio/wav');
    expect(transcriptionRequests().map((r) => r.status)).toEqual([200]);
    get.mockRestore();
  });

  it('sends a panel’s first upload at once, with no detour through a data: URL', async () => {
    vi.resetModules();
    const fresh = await import('./teacher-api');
    const fetches = vi.spyOn(globalThis, 'fetch');
    await fresh.transcribe(endpoints().transcription, wav, 'audio/wav');
    expect(fetches.mock.calls.map(([url]) => new URL(String(url)).protocol)).toEqual(['http:']);
    fetches.mockRestore();
  });

  it('says the upload and the teacher’s request have left only once each is handed to the network', async () => {
    const fetches = vi.spyOn(globalThis, 'fetch');
    const sentAfter = (path: string) => () => fetches.mock.calls.filter(([url]) => String(url).endsWith(path)).length;
    const seen: number[] = [];
    const uploads = sentAfter('/audio/transcriptions');
    await transcribe(endpoints().transcription, wav, 'audio/wav', { onSent: () => seen.push(uploads()) });
    const chats = sentAfter('/chat/completions');
    await streamReply(endpoints().chat, HISTORY, () => undefined, { onSent: () => seen.push(chats()) });
    expect(seen).toEqual([1, 1]);
    // The hook is ours: the browser's fetch is never handed it.
    expect(fetches.mock.calls.every(([, init]) => !init || !('onSent' in init))).toBe(true);
    fetches.mockRestore();
  });

  it('on a server that refuses language and prompt, sends only file and model, and remembers it', async () => {
    standin.control.setQuirks(['no-transcription-options']);
    const endpoint = endpoints().transcription;
    expect((await transcribe(endpoint, wav, 'audio/wav')).text).toBe(SENTENCE);
    expect(transcriptionRequests().map((r) => r.status)).toEqual([400, 400, 200]);
    expect(Object.keys(transcriptionRequests()[2]?.fields ?? {}).sort()).toEqual(['model']);

    standin.control.clearRequests();
    expect((await transcribe(endpoint, wav, 'audio/wav')).text).toBe(SENTENCE);
    expect(transcriptionRequests().map((r) => r.status)).toEqual([200]);
  });

  it('a 404 from a chat-only server says it cannot transcribe and points to the transcription server setting', async () => {
    standin.control.setServes('chat');
    const attempt = transcribe(endpoints().transcription, wav, 'audio/wav');
    await expect(attempt).rejects.toMatchObject({ kind: 'no-transcription', settingsCanFix: true });
    await expect(attempt).rejects.toThrow(/cannot transcribe speech.*Transcription server/);
  });

  it('a chat server that answers the unknown endpoint with 200 and an error (LM Studio) is told apart too', async () => {
    const lmStudio = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'Unexpected endpoint or method. (POST /v1/audio/transcriptions)' }));
    });
    await new Promise<void>((resolve) => lmStudio.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(lmStudio.address() as AddressInfo).port}/v1`;
      const local = apiEndpoints({ ...DEFAULT_SETTINGS, apiBaseUrl: url }, { apiKey: '', transcriptionKey: '' });
      await expect(transcribe(local.transcription, wav, 'audio/wav')).rejects.toMatchObject({
        kind: 'no-transcription',
      });
    } finally {
      await new Promise((resolve) => lmStudio.close(resolve));
    }
  });

  it('sends each key only to its own server', async () => {
    const other = await startStandin({
      latencyProfile: 'fast',
      candidates: [SENTENCE],
      apiKey: 'sk-whisper-only',
      serves: 'transcription',
    });
    try {
      standin.control.setServes('chat');
      const split = apiEndpoints(
        { ...DEFAULT_SETTINGS, apiBaseUrl: standin.url, transcriptionUrl: other.url },
        { apiKey: standin.apiKey, transcriptionKey: 'sk-whisper-only' },
      );
      expect((await transcribe(split.transcription, wav, 'audio/wav')).text).toBe(SENTENCE);
      expect((await reply(split.chat)).text).toContain('went');
      expect(other.requests.map((r) => r.status)).toEqual([200]);
      expect(chatRequests().map((r) => r.status)).toEqual([200]);
      expect(transcriptionRequests()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('the reply stream, against each difference seen in the field', () => {
  it('the stand-in offers every quirk these tests cover', () => {
    expect([...STANDIN_QUIRKS].sort()).toEqual([
      'data-no-space',
      'error-in-stream',
      'no-stream-options',
      'no-transcription-options',
      'no-verbose-json',
      'reasoning-content',
      'usage-only-final-chunk',
    ]);
  });

  it('plain OpenAI: the whole reply, as deltas', async () => {
    const { text, deltas } = await reply();
    expect(text).toMatch(/went to the park/);
    expect(deltas.join('')).toBe(text);
    expect(deltas.length).toBeGreaterThan(5);
    expect(chatRequests()[0]?.valid).toBe(true);
  });

  it('no stream_options: never sent, so a server that refuses it answers', async () => {
    standin.control.setQuirks(['no-stream-options']);
    expect((await reply()).text).toMatch(/went to the park/);
    expect(chatRequests()[0]?.body).not.toHaveProperty('stream_options');
    expect(chatRequests()[0]?.status).toBe(200);
  });

  it('data: lines without a space are read the same', async () => {
    const plain = (await reply()).text;
    standin.control.setQuirks(['data-no-space']);
    expect((await reply()).text).toBe(plain);
  });

  it('a final chunk with only usage (no choices) ends the reply cleanly', async () => {
    const plain = (await reply()).text;
    standin.control.setQuirks(['usage-only-final-chunk']);
    expect((await reply()).text).toBe(plain);
  });

  it('a reasoning model: reasoning_content is never part of the reply', async () => {
    const plain = (await reply()).text;
    standin.control.setQuirks(['reasoning-content']);
    const { text, deltas } = await reply();
    expect(text).toBe(plain);
    expect(deltas.join('')).not.toContain(REASONING.trim().split(' ')[0]);
  });

  it('an error object inside the stream fails the reply with the server’s words, after the text so far', async () => {
    standin.control.setQuirks(['error-in-stream']);
    const deltas: string[] = [];
    const attempt = streamReply(endpoints().chat, HISTORY, (delta) => deltas.push(delta));
    await expect(attempt).rejects.toMatchObject({ kind: 'server-error' });
    await expect(streamReply(endpoints().chat, HISTORY, () => undefined)).rejects.toThrow(
      /stopped the reply with an error: The server had an error/,
    );
    expect(deltas.length).toBeGreaterThan(0);
  });

  it('every quirk at once still gives the reply', async () => {
    const plain = (await reply()).text;
    standin.control.setQuirks(STANDIN_QUIRKS.filter((quirk) => quirk !== 'error-in-stream'));
    expect((await reply()).text).toBe(plain);
  });

  it.each(['insufficient-quota', 'quota-402', 'quota-403'] as const)(
    'an empty account (%s) is named as such, not retried',
    async (kind) => {
      standin.control.failNext({ kind, endpoint: 'chat', count: 3 });
      await expect(reply()).rejects.toMatchObject({ kind: 'quota-exhausted' });
      expect(chatRequests()).toHaveLength(1);
    },
  );

  it('a 404 on a transcription-only server says it cannot chat', async () => {
    standin.control.setServes('transcription');
    await expect(reply()).rejects.toMatchObject({ kind: 'no-chat', settingsCanFix: true });
  });
});
