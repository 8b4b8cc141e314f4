// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startStandin, type Standin } from '../../script/openai-standin/server';
import { TEST_SAMPLE, TEST_SENTENCE } from '../../script/make-test-sample';
import { TEST_SAMPLE_PATH, TEST_SAMPLE_TEXT, testConnection } from './connection-test';
import { DEFAULT_SETTINGS, type Settings } from './settings';

// Real HTTP, ffmpeg and pocketsphinx on a shared machine: the extension project's 5 s default is too tight.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let chatOnly: Standin;
let whisperOnly: Standin;
const loadSample = async () => new Blob([await readFile(TEST_SAMPLE)], { type: 'audio/ogg' });

beforeAll(async () => {
  [chatOnly, whisperOnly] = await Promise.all([
    startStandin({ latencyProfile: 'fast', serves: 'chat', apiKey: 'sk-chat-only' }),
    startStandin({
      latencyProfile: 'fast',
      serves: 'transcription',
      apiKey: 'sk-whisper-only',
      candidates: [TEST_SENTENCE, 'Goodbye and see you tomorrow.'],
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([chatOnly?.close(), whisperOnly?.close()]);
});

beforeEach(() => {
  fakeBrowser.reset();
  chatOnly.control.reset();
  whisperOnly.control.reset();
});

const settings = (overrides: Partial<Settings> = {}): Settings => ({
  ...DEFAULT_SETTINGS,
  apiBaseUrl: chatOnly.url,
  companionUrl: 'http://127.0.0.1:9',
  ...overrides,
});

describe('Test connection', () => {
  it('ships the sample it transcribes, saying what the report expects', () => {
    expect(TEST_SAMPLE.endsWith(`public${TEST_SAMPLE_PATH}`)).toBe(true);
    expect(TEST_SENTENCE).toBe(TEST_SAMPLE_TEXT);
  });

  it('on a chat-only server, says it has no transcription and where to choose one', async () => {
    const report = await testConnection(settings(), { apiKey: 'sk-chat-only', transcriptionKey: '' }, { loadSample });
    expect(report.chat).toEqual({ ok: true, message: 'Key accepted.' });
    expect(report.transcription).toEqual({
      ok: false,
      message: 'This server has no transcription: choose a Transcription server below, then test again.',
    });
  });

  it('with a transcription server, really transcribes the sample there with its own key', async () => {
    const report = await testConnection(
      settings({ transcriptionUrl: whisperOnly.url, transcriptionModel: 'whisper-1' }),
      { apiKey: 'sk-chat-only', transcriptionKey: 'sk-whisper-only' },
      { loadSample },
    );
    expect(report.transcription).toEqual({ ok: true, message: `Heard “${TEST_SENTENCE}” in the test recording.` });
    expect(report.chat.ok).toBe(true);
    expect(whisperOnly.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual(['models 200', 'transcriptions 200']);
    expect(chatOnly.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual(['models 200']);
    expect(report.companion.ok).toBe(false);
  });

  it('names the key that was rejected, and a model the server does not list', async () => {
    const report = await testConnection(
      settings({ transcriptionUrl: whisperOnly.url, chatModel: 'deepseek-chat' }),
      { apiKey: 'sk-chat-only', transcriptionKey: 'sk-wrong' },
      { loadSample },
    );
    expect(report.transcription.ok).toBe(false);
    expect(report.transcription.message).toContain('rejected your transcription server key (401)');
    expect(report.chat.message).toMatch(/does not list "deepseek-chat"; check the model name \(it lists gpt-4o-mini/);
  });

  it('says so when the server hears something else than the sample', async () => {
    whisperOnly.control.setTranscript('Goodbye and see you tomorrow.');
    const report = await testConnection(
      settings({ transcriptionUrl: whisperOnly.url }),
      { apiKey: 'sk-chat-only', transcriptionKey: 'sk-whisper-only' },
      { loadSample },
    );
    expect(report.transcription).toEqual({
      ok: false,
      message: `The server answered, but heard “Goodbye and see you tomorrow.” instead of “${TEST_SENTENCE}”. Check the transcription model.`,
    });
  });
});
