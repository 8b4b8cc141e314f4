import { describe, expect, it } from 'vitest';
import {
  CHAT_PROVIDERS,
  PROVIDERS,
  TRANSCRIPTION_PROVIDERS,
  apiUrlProblem,
  can,
  isLoopback,
  providerForUrl,
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
