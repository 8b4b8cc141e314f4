import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import {
  serversLeaving,
  thisComputerChoice,
  thisComputerSettings,
  transcribesWithCompanion,
  withCompanionUrl,
} from './this-computer';

const cloud: Settings = {
  ...DEFAULT_SETTINGS,
  apiBaseUrl: 'https://api.deepseek.com/v1',
  chatModel: 'deepseek-chat',
  transcriptionUrl: 'https://api.groq.com/openai/v1',
  transcriptionModel: 'whisper-large-v3-turbo',
  voice: 'en_US-joe-medium',
  companionToken: 'tok',
};

describe('the "This computer" preset', () => {
  it('with Ollama: transcription and voice by the companion, chat by Ollama, all in one choice', () => {
    const local = thisComputerSettings(cloud, 'ollama');
    expect(local).toMatchObject({
      transcriptionUrl: 'http://127.0.0.1:8730/v1',
      transcriptionModel: 'tiny.en',
      apiBaseUrl: 'http://localhost:11434/v1',
      chatModel: 'llama3.2',
      companionUrl: 'http://127.0.0.1:8730',
    });
    // What is not about where things go stays the learner's.
    expect(local).toMatchObject({ voice: 'en_US-joe-medium', companionToken: 'tok', level: cloud.level });
    expect(serversLeaving(local)).toEqual([]);
    expect(thisComputerChoice(local)).toBe('ollama');
    expect(transcribesWithCompanion(local)).toBe(true);
  });

  it('with LM Studio: its own preset for chat', () => {
    const local = thisComputerSettings(cloud, 'lmstudio');
    expect(local).toMatchObject({ apiBaseUrl: 'http://localhost:1234/v1', chatModel: 'qwen2.5-7b-instruct' });
    expect(thisComputerChoice(local)).toBe('lmstudio');
    expect(serversLeaving(local)).toEqual([]);
  });

  it('keeps a companion already on this computer at its own port, and brings one from elsewhere home', () => {
    const ownPort = thisComputerSettings({ ...cloud, companionUrl: 'http://localhost:9000/' }, 'ollama');
    expect(ownPort).toMatchObject({
      companionUrl: 'http://localhost:9000',
      transcriptionUrl: 'http://localhost:9000/v1',
    });
    const elsewhere = thisComputerSettings({ ...cloud, companionUrl: 'http://192.168.1.5:8730' }, 'ollama');
    expect(elsewhere).toMatchObject({
      companionUrl: 'http://127.0.0.1:8730',
      transcriptionUrl: 'http://127.0.0.1:8730/v1',
    });
  });

  it('is no longer shown as chosen once the learner changes one part, which then leaves the computer', () => {
    const local = thisComputerSettings(cloud, 'ollama');
    const otherChat = { ...local, apiBaseUrl: 'https://api.openai.com/v1' };
    expect(thisComputerChoice(otherChat)).toBeNull();
    expect(serversLeaving(otherChat).map((s) => `${s.role} ${s.host}`)).toEqual(['chat api.openai.com']);
    const otherTranscription = { ...local, transcriptionUrl: 'http://localhost:8000/v1' };
    expect(thisComputerChoice(otherTranscription)).toBeNull();
    // A local Whisper server is still this computer.
    expect(serversLeaving(otherTranscription)).toEqual([]);
  });
});

describe('what leaves this computer', () => {
  it('by default: recordings and chat go to OpenAI, the voice stays here', () => {
    expect(serversLeaving(DEFAULT_SETTINGS).map((s) => `${s.role} ${s.host}`)).toEqual([
      'transcription api.openai.com',
      'chat api.openai.com',
    ]);
  });

  it('counts the transcription server as the chat server when none is set', () => {
    const ollamaAlone = { ...DEFAULT_SETTINGS, apiBaseUrl: 'http://127.0.0.1:11434/v1', transcriptionUrl: '' };
    expect(serversLeaving(ollamaAlone)).toEqual([]);
  });

  it('names a server on the local network, and a voice server elsewhere, as leaving', () => {
    const lan = {
      ...thisComputerSettings(DEFAULT_SETTINGS, 'ollama'),
      apiBaseUrl: 'http://192.168.1.20:11434/v1',
      companionUrl: 'http://localhost.example.com:8730',
    };
    expect(serversLeaving(lan).map((s) => `${s.role} ${s.host}`)).toEqual([
      'chat 192.168.1.20:11434',
      'voice localhost.example.com:8730',
    ]);
  });
});

describe('moving the companion', () => {
  it('takes transcription by the companion along, and leaves another transcription server alone', () => {
    const moved = withCompanionUrl(thisComputerSettings(DEFAULT_SETTINGS, 'ollama'), 'http://127.0.0.1:9000');
    expect(moved).toMatchObject({
      companionUrl: 'http://127.0.0.1:9000',
      transcriptionUrl: 'http://127.0.0.1:9000/v1',
    });
    expect(thisComputerChoice(moved)).toBe('ollama');
    const groq = { ...cloud, companionUrl: 'http://127.0.0.1:8730' };
    expect(withCompanionUrl(groq, 'http://127.0.0.1:9000').transcriptionUrl).toBe('https://api.groq.com/openai/v1');
  });
});
