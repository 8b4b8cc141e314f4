import { describe, expect, it, vi } from 'vitest';
import {
  CompanionUnreachableError,
  fetchNaturalVoice,
  fetchSpeech,
  fetchVoices,
  testCompanion,
} from './companion-client';
import type { CompanionTarget } from './messages';

const companion: CompanionTarget = { url: 'http://127.0.0.1:5123/', token: 'secret', voice: 'jenny', speed: 1.1 };

function speechResponse(text: string, duration: number): Response {
  return new Response(JSON.stringify([duration, text]), { status: 200, headers: { 'Content-Type': 'audio/wav' } });
}

describe('fetchSpeech', () => {
  it('asks the companion for WAV through the OpenAI speech endpoint', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => speechResponse('hi', 1));
    await fetchSpeech(companion, 'Hello there.', new AbortController().signal, fetchImpl);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:5123/v1/audio/speech');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer secret');
    expect(JSON.parse(String(init?.body))).toEqual({
      model: 'tts-1',
      input: 'Hello there.',
      voice: 'jenny',
      response_format: 'wav',
      speed: 1.1,
    });
  });

  it('leaves out an empty voice and token, so the companion uses its defaults', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => speechResponse('hi', 1));
    await fetchSpeech({ ...companion, voice: '', token: '' }, 'Hi.', new AbortController().signal, fetchImpl);
    const init = fetchImpl.mock.calls[0]![1];
    expect(new Headers(init?.headers).has('Authorization')).toBe(false);
    expect(JSON.parse(String(init?.body))).not.toHaveProperty('voice');
  });

  it('says the companion cannot be reached when the connection is refused', async () => {
    const fetchImpl = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchSpeech(companion, 'Hi.', new AbortController().signal, fetchImpl)).rejects.toBeInstanceOf(
      CompanionUnreachableError,
    );
  });

  it('passes on the companion’s own error message', async () => {
    const fetchImpl = vi.fn<typeof fetch>(
      async () => new Response(JSON.stringify({ error: { message: 'Unknown voice "x"' } }), { status: 400 }),
    );
    await expect(fetchSpeech(companion, 'Hi.', new AbortController().signal, fetchImpl)).rejects.toThrow(
      /400: Unknown voice "x"/,
    );
  });

  it('does not call an aborted request unreachable', async () => {
    const controller = new AbortController();
    const fetchImpl = vi.fn<typeof fetch>(async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    const failure = fetchSpeech(companion, 'Hi.', controller.signal, fetchImpl);
    await expect(failure).rejects.not.toBeInstanceOf(CompanionUnreachableError);
  });
});

/** A companion that answers its health check with `body` and `status`. */
function health(status: number, body: unknown) {
  return vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status }));
}

describe('Test connection’s companion check', () => {
  it('reaches the companion the way the teacher’s voice does: same address, same token', async () => {
    const fetchImpl = health(200, { status: 'ok', engine: 'espeak', ready: true });
    const check = await testCompanion(companion.url, companion.token, fetchImpl);
    expect(check.ok).toBe(true);
    expect(check.message).toMatch(/espeak/);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:5123/health');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer secret');
  });

  it('says a voice still loading is there, and names it', async () => {
    const check = await testCompanion(companion.url, '', health(200, { engine: 'coqui', ready: false }));
    expect(check.ok).toBe(true);
    expect(check.message).toMatch(/coqui/);
  });

  it('asks for the token, or for this extension to be let in, when the companion refuses', async () => {
    const wantsToken = await testCompanion(companion.url, '', health(401, { error: 'unauthorized' }));
    const refused = await testCompanion(companion.url, '', health(403, { error: 'forbidden' }));
    expect(wantsToken.ok).toBe(false);
    expect(refused.ok).toBe(false);
    expect(wantsToken.message).not.toBe(refused.message);
  });

  it('tells another server on that port from a companion that is not running', async () => {
    const other = await testCompanion(companion.url, '', health(200, { hello: 'world' }));
    const down = await testCompanion(
      companion.url,
      '',
      vi.fn<typeof fetch>(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(other.ok).toBe(false);
    expect(down.ok).toBe(false);
    expect(other.message).not.toBe(down.message);
  });
});

describe('the companion’s voices (Settings › Voice)', () => {
  it('reads every voice with its engine, accent and gender, asked the way the teacher’s voice asks', async () => {
    const fetchImpl = health(200, {
      engine: 'piper',
      default: 'en_US-joe-medium',
      voices: [
        { id: 'en_US-joe-medium', name: 'Joe', language: 'en-us', engine: 'piper', accent: 'American', gender: 'male' },
        { id: 'bf_emma', name: 'Emma', language: 'en-gb', engine: 'kokoro', accent: 'British', gender: 'female' },
      ],
    });
    const result = await fetchVoices(companion.url, companion.token, fetchImpl);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:5123/voices');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer secret');
    expect(result).toEqual({
      status: 'ok',
      list: {
        engine: 'piper',
        defaultVoice: 'en_US-joe-medium',
        voices: [
          {
            id: 'en_US-joe-medium',
            name: 'Joe',
            language: 'en-us',
            engine: 'piper',
            accent: 'American',
            gender: 'male',
          },
          { id: 'bf_emma', name: 'Emma', language: 'en-gb', engine: 'kokoro', accent: 'British', gender: 'female' },
        ],
      },
    });
  });

  it('fills in what a companion without neural voices leaves out: the engine from the list, the accent from the language', async () => {
    const result = await fetchVoices(
      companion.url,
      '',
      health(200, {
        engine: 'espeak',
        default: 'en-us',
        voices: [
          { id: 'en-us', name: 'English (America)', language: 'en-us' },
          { id: 'en-gb-scotland', name: 'English (Scotland)', language: 'en-gb-scotland' },
          { id: 'en-029', name: 'English (Caribbean)', language: 'en-029' },
        ],
      }),
    );
    expect(result.status === 'ok' && result.list.voices.map((v) => [v.id, v.engine, v.accent])).toEqual([
      ['en-us', 'espeak', 'American'],
      ['en-gb-scotland', 'espeak', 'British'],
      ['en-029', 'espeak', 'other'],
    ]);
  });

  it('says why there is no list, and what to do: not running, a token wanted, still loading', async () => {
    const down = await fetchVoices(
      companion.url,
      '',
      vi.fn<typeof fetch>(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(down).toMatchObject({ status: 'unreachable', message: expect.stringContaining('npm run companion') });
    expect(await fetchVoices(companion.url, '', health(401, {}))).toMatchObject({
      status: 'refused',
      message: expect.stringContaining('Companion token'),
    });
    expect(await fetchVoices(companion.url, '', health(503, {}))).toMatchObject({
      status: 'loading',
      message: expect.stringContaining('Retry'),
    });
  });
});

describe('the natural voice’s progress (/health)', () => {
  it('reads the state and the percentage', async () => {
    const fetchImpl = health(200, {
      engine: 'piper',
      ready: true,
      naturalVoice: { state: 'fetching', engine: 'piper', voice: 'en_US-joe-medium', percent: 34.6, message: null },
    });
    expect(await fetchNaturalVoice(companion.url, companion.token, fetchImpl)).toEqual({
      state: 'fetching',
      engine: 'piper',
      voice: 'en_US-joe-medium',
      percent: 34,
      message: null,
    });
    expect(fetchImpl.mock.calls[0]![0]).toBe('http://127.0.0.1:5123/health');
  });

  it('has nothing to say of a companion without neural voices, or one that is not running', async () => {
    expect(await fetchNaturalVoice(companion.url, '', health(200, { engine: 'espeak', ready: true }))).toBeNull();
    const down = vi.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await fetchNaturalVoice(companion.url, '', down)).toBeNull();
  });
});
