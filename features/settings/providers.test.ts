import { describe, expect, it } from 'vitest';
import {
  CHAT_PROVIDERS,
  PROVIDERS,
  TRANSCRIPTION_PROVIDERS,
  apiUrlProblem,
  can,
  isLoopback,
  providerForUrl,
  sameServer,
} from './providers';

describe('provider presets', () => {
  it('cover the providers learners ask for, each with a model for what it can do', () => {
    expect(PROVIDERS.map((p) => p.name)).toEqual([
      'OpenAI',
      'Groq',
      'DeepSeek',
      'SiliconFlow',
      'OpenRouter',
      'Ollama (this computer)',
      'LM Studio (this computer)',
      'Local Whisper server (Speaches / faster-whisper-server)',
    ]);
    for (const provider of PROVIDERS) {
      expect(apiUrlProblem(provider.baseUrl), provider.id).toBeNull();
      expect(Boolean(provider.chatModel), provider.id).toBe(can(provider, 'chat'));
      expect(Boolean(provider.transcriptionModel), provider.id).toBe(can(provider, 'transcription'));
      // Only servers on this computer go without a key.
      expect(provider.keyRequired, provider.id).toBe(!isLoopback(provider.baseUrl));
    }
  });

  it('say which can chat and which can transcribe', () => {
    expect(CHAT_PROVIDERS.map((p) => p.id)).not.toContain('local-whisper');
    expect(TRANSCRIPTION_PROVIDERS.map((p) => p.id)).toEqual(['openai', 'groq', 'siliconflow', 'local-whisper']);
    expect(can(providerForUrl('https://api.deepseek.com/v1'), 'transcription')).toBe(false);
  });

  it('recognise a preset from its address, however the learner typed it', () => {
    expect(providerForUrl('https://api.groq.com/openai/v1/')?.id).toBe('groq');
    expect(providerForUrl('http://127.0.0.1:11434/v1')?.id).toBe('ollama');
    expect(providerForUrl('http://localhost:1234/v1')?.id).toBe('lmstudio');
    expect(providerForUrl('https://my-proxy.example.com/v1')).toBeUndefined();
  });
});

describe('API addresses', () => {
  it('accept https anywhere and http on this computer only', () => {
    expect(apiUrlProblem('https://api.deepseek.com/v1')).toBeNull();
    expect(apiUrlProblem('http://localhost:11434/v1')).toBeNull();
    expect(apiUrlProblem('http://127.0.0.1:8000/v1')).toBeNull();
    expect(apiUrlProblem('http://[::1]:8000/v1')).toBeNull();
  });

  it('refuse http to another machine, saying the key would travel in clear text', () => {
    expect(apiUrlProblem('http://192.168.1.20:1234/v1')).toMatch(/clear text/);
    expect(apiUrlProblem('http://api.example.com/v1')).toMatch(/Use https:\/\//);
  });

  it('refuse what is not a web address, with an example', () => {
    expect(apiUrlProblem('api.openai.com')).toContain('Example: https://api.openai.com/v1');
    expect(apiUrlProblem('ftp://example.com')).toContain('https://');
  });
});

describe('this computer (the host rule of "Nothing leaves this computer")', () => {
  it('counts every loopback form: 127.0.0.0/8, [::1], localhost and its subdomains, however written', () => {
    for (const url of [
      'http://127.0.0.1:8730',
      'http://127.1.2.3:11434/v1',
      'http://127.255.255.254/v1',
      'http://127.1:8000/v1', // short form, the URL parser writes 127.0.0.1
      'http://0x7f000001:8000/v1', // hex form
      'http://[::1]:8730',
      'http://[0:0:0:0:0:0:0:1]:8730',
      'http://[::ffff:127.0.0.1]:8730',
      'http://localhost:11434/v1',
      'http://LOCALHOST:1234/v1',
      'http://aitalk.localhost:8730',
    ]) {
      expect(isLoopback(url), url).toBe(true);
    }
  });

  it('does not count another machine, a name that only starts with localhost, or a listening wildcard', () => {
    for (const url of [
      'http://localhost.example.com:11434/v1',
      'http://127.0.0.1.nip.io/v1',
      'http://192.168.1.20:11434/v1',
      'http://10.0.0.5:8730',
      'http://128.0.0.1/v1',
      'http://0.0.0.0:8730',
      'http://[::]:8730',
      'http://[::2]:8730',
      'https://api.openai.com/v1',
      'not a url',
    ]) {
      expect(isLoopback(url), url).toBe(false);
    }
  });

  it('recognises one server under its two loopback names', () => {
    expect(sameServer('http://127.0.0.1:8730/v1/', 'http://localhost:8730/v1')).toBe(true);
    expect(sameServer('http://127.0.0.1:8730/v1', 'http://127.0.0.1:8731/v1')).toBe(false);
  });
});
