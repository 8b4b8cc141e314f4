import { describe, expect, it } from 'vitest';
import { apiEndpoints, endpointsReady, missingKey } from './endpoints';
import { DEFAULT_SETTINGS } from './settings';

const keys = { apiKey: 'sk-chat', transcriptionKey: 'gsk-whisper' };

describe('where requests go', () => {
  it('by default both go to the API base URL with the API key', () => {
    const { chat, transcription } = apiEndpoints(DEFAULT_SETTINGS, {
      apiKey: ' sk-chat ',
      transcriptionKey: 'ignored',
    });
    expect(chat).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-chat', model: 'gpt-4o-mini' });
    expect(transcription).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-chat',
      model: 'whisper-1',
      separateServer: false,
    });
  });

  it('with a transcription server, recordings go there with its own key and chat keeps the API key', () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      apiBaseUrl: 'https://api.deepseek.com/v1',
      transcriptionUrl: 'https://api.groq.com/openai/v1',
    };
    const { chat, transcription } = apiEndpoints(settings, keys);
    expect(chat).toMatchObject({ baseUrl: 'https://api.deepseek.com/v1', apiKey: 'sk-chat' });
    expect(transcription).toMatchObject({
      baseUrl: 'https://api.groq.com/openai/v1',
      apiKey: 'gsk-whisper',
      separateServer: true,
    });
  });

  it('a blank transcription key is the API key on the same host only: a key never goes to another host', () => {
    const sameHost = apiEndpoints(
      {
        ...DEFAULT_SETTINGS,
        apiBaseUrl: 'https://api.example.com/chat/v1',
        transcriptionUrl: 'https://api.example.com/whisper/v1',
      },
      { apiKey: 'sk-chat', transcriptionKey: '' },
    );
    expect(sameHost.transcription.apiKey).toBe('sk-chat');
    const otherHost = apiEndpoints(
      { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://api.deepseek.com/v1', transcriptionUrl: 'http://localhost:8000/v1' },
      { apiKey: 'sk-chat', transcriptionKey: '' },
    );
    expect(otherHost.transcription.apiKey).toBe('');
  });

  it('carries the transcription prompt, trimmed; chat has none', () => {
    const { chat, transcription } = apiEndpoints({ ...DEFAULT_SETTINGS, transcriptionPrompt: '  Um, I goed.  ' }, keys);
    expect(transcription.prompt).toBe('Um, I goed.');
    expect(chat.prompt).toBe('');
  });
});

describe('keys a request needs', () => {
  it('a server off this machine needs a key; one on this machine does not', () => {
    const remote = apiEndpoints(DEFAULT_SETTINGS, { apiKey: '', transcriptionKey: '' });
    expect(missingKey(remote.chat)?.message).toContain('Add your API key in Settings');
    expect(endpointsReady(remote)).toBe(false);
    const local = apiEndpoints(
      { ...DEFAULT_SETTINGS, apiBaseUrl: 'http://localhost:11434/v1' },
      { apiKey: '', transcriptionKey: '' },
    );
    expect(missingKey(local.chat)).toBeNull();
  });

  it('a remote transcription server without a key names its own field', () => {
    const split = apiEndpoints(
      {
        ...DEFAULT_SETTINGS,
        apiBaseUrl: 'http://127.0.0.1:11434/v1',
        transcriptionUrl: 'https://api.groq.com/openai/v1',
      },
      { apiKey: '', transcriptionKey: '' },
    );
    expect(missingKey(split.chat)).toBeNull();
    expect(missingKey(split.transcription)?.message).toContain('Transcription server key');
    expect(endpointsReady(split)).toBe(false);
  });
});

describe('transcription by the companion', () => {
  const local = {
    ...DEFAULT_SETTINGS,
    apiBaseUrl: 'http://localhost:11434/v1',
    companionUrl: 'http://127.0.0.1:8730',
    transcriptionUrl: 'http://localhost:8730/v1',
    transcriptionModel: 'tiny.en',
  };

  it('carries the companion token, as the voice does, and never a key typed for another server', () => {
    const { transcription } = apiEndpoints(
      { ...local, companionToken: ' s3cret ' },
      { apiKey: 'sk-chat', transcriptionKey: 'gsk-whisper' },
    );
    expect(transcription).toMatchObject({
      baseUrl: 'http://localhost:8730/v1',
      apiKey: 's3cret',
      model: 'tiny.en',
      separateServer: true,
    });
  });

  it('needs no key when the companion has no token', () => {
    const endpoints = apiEndpoints(local, { apiKey: '', transcriptionKey: 'gsk-whisper' });
    expect(endpoints.transcription.apiKey).toBe('');
    expect(endpointsReady(endpoints)).toBe(true);
  });

  it('a transcription server at another port is not the companion: its own key rule applies', () => {
    const { transcription } = apiEndpoints(
      { ...local, transcriptionUrl: 'http://localhost:8000/v1', companionToken: 's3cret' },
      { apiKey: '', transcriptionKey: 'speaches-key' },
    );
    expect(transcription.apiKey).toBe('speaches-key');
  });
});
