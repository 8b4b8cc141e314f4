import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  defaultExplanationLanguage,
  DEFAULT_SETTINGS,
  DEFAULT_TEACHER_INSTRUCTIONS,
  DEFAULT_TRANSCRIPTION_PROMPT,
  apiKeyItem,
  loadApiKeys,
  loadSettings,
  normaliseUrl,
  originPattern,
  settingsItem,
  transcriptionKeyItem,
  type SettingsV1,
  type SettingsV2,
} from './settings';

beforeEach(() => {
  fakeBrowser.reset();
});

describe('settings', () => {
  it('start from the documented defaults: OpenAI, whisper-1, gpt-4o-mini, the local companion, the teacher prompt', async () => {
    const settings = await loadSettings();
    expect(settings.apiBaseUrl).toBe('https://api.openai.com/v1');
    expect(settings.transcriptionModel).toBe('whisper-1');
    expect(settings.chatModel).toBe('gpt-4o-mini');
    expect(settings.companionUrl).toBe('http://127.0.0.1:8730');
    expect(settings.teacherInstructions).toBe(DEFAULT_TEACHER_INSTRUCTIONS);
    expect(settings.teacherInstructions).toContain('ask me a question in your reply');
    expect(settings.handsFree).toBe(false);
  });

  it('keep what the learner saved, and fill fields an older version did not have', async () => {
    await settingsItem.setValue({
      ...DEFAULT_SETTINGS,
      chatModel: 'llama3.1',
      apiBaseUrl: 'http://localhost:11434/v1',
    });
    expect(await loadSettings()).toMatchObject({
      chatModel: 'llama3.1',
      apiBaseUrl: 'http://localhost:11434/v1',
      transcriptionModel: 'whisper-1',
    });

    // Saved by a build that had no hands-free setting yet.
    const { handsFree: _dropped, ...older } = DEFAULT_SETTINGS;
    await fakeBrowser.storage.local.set({ settings: older });
    expect((await loadSettings()).handsFree).toBe(false);
  });

  it('start with transcription on the API server, asking for a verbatim transcript', async () => {
    const settings = await loadSettings();
    expect(settings.transcriptionUrl).toBe('');
    expect(settings.transcriptionPrompt).toBe(DEFAULT_TRANSCRIPTION_PROMPT);
    // Short, in a learner's voice, with a mistake and a filler left in.
    expect(DEFAULT_TRANSCRIPTION_PROMPT.split(' ').length).toBeLessThan(20);
    expect(DEFAULT_TRANSCRIPTION_PROMPT).toMatch(/\b(um|uh)\b/i);
  });

  it('keep both keys in local storage only, apart from the other settings', async () => {
    await transcriptionKeyItem.setValue('gsk-whisper-secret');
    await apiKeyItem.setValue('sk-chat-secret');
    expect(await loadApiKeys()).toEqual({ apiKey: 'sk-chat-secret', transcriptionKey: 'gsk-whisper-secret' });
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
    expect(JSON.stringify(await settingsItem.getValue())).not.toContain('secret');
  });

  it('keep the API key in local storage only, apart from the other settings', async () => {
    await apiKeyItem.setValue('sk-learner-secret');
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, voice: 'en-gb' });
    expect(await fakeBrowser.storage.local.get('apiKey')).toEqual({ apiKey: 'sk-learner-secret' });
    expect(await fakeBrowser.storage.sync.get(null)).toEqual({});
    expect(JSON.stringify(await settingsItem.getValue())).not.toContain('sk-learner-secret');
  });
});

describe('addresses the learner types', () => {
  it('lose stray spaces and trailing slashes', () => {
    expect(normaliseUrl('  https://api.groq.com/openai/v1/ ')).toBe('https://api.groq.com/openai/v1');
  });

  it('become the host permission they need, whatever the port', () => {
    expect(originPattern('https://api.groq.com/openai/v1')).toBe('https://api.groq.com/*');
    expect(originPattern('http://192.168.1.20:1234/v1')).toBe('http://192.168.1.20/*');
  });

  it('explain corrections in 简体中文 for a Chinese browser, in English otherwise', () => {
    expect(defaultExplanationLanguage(['zh-CN', 'en'])).toBe('zh-CN');
    expect(defaultExplanationLanguage(['zh-TW'])).toBe('zh-CN');
    expect(defaultExplanationLanguage(['en-GB', 'zh-CN'])).toBe('en');
    expect(defaultExplanationLanguage([])).toBe('en');
  });
});

describe('settings saved by version 1', () => {
  it('migrate to version 2: what the learner chose is kept, transcription stays on their server, the verbatim prompt is added, recordings are all kept', async () => {
    const saved: SettingsV1 = {
      apiBaseUrl: 'https://api.groq.com/openai/v1',
      transcriptionModel: 'whisper-large-v3',
      chatModel: 'llama-3.3-70b-versatile',
      companionUrl: 'http://127.0.0.1:8730',
      companionToken: 'tok',
      voice: 'en-gb',
      speed: 1.2,
      teacherInstructions: 'Be brief.',
      handsFree: true,
    };
    // What a version-1 build left behind: the value, no version meta (WXT reads that as v1).
    await fakeBrowser.storage.local.set({ settings: saved });
    const { settingsItem: reopened, loadSettings: load } = (await import(
      './settings?v1-migration' as string
    )) as typeof import('./settings');
    const migrated = await load();
    expect(migrated).toEqual({
      ...saved,
      transcriptionUrl: '',
      transcriptionPrompt: DEFAULT_TRANSCRIPTION_PROMPT,
      // Every recording is kept, as before, until the learner sets a limit.
      recordingRetentionDays: 0,
      explanationLanguage: 'en',
      // …and through version 3: edited instructions stay the learner's own.
      teacherStyle: 'custom',
      level: 'B1',
      scenario: 'free',
      ownTopic: '',
      interfaceLanguage: 'browser',
      hideTextUntilHeard: false,
      guidedStartDone: true,
      // On, as for a new learner: nothing is remembered until they keep something.
      memory: true,
    });
    expect(await reopened.getMeta()).toEqual({ v: 3 });
    expect((await fakeBrowser.storage.local.get('settings')).settings).toEqual(migrated);
  });
});

describe('settings saved by version 2', () => {
  const v2: SettingsV2 = {
    apiBaseUrl: 'https://api.openai.com/v1',
    transcriptionUrl: '',
    transcriptionModel: 'whisper-1',
    transcriptionPrompt: DEFAULT_TRANSCRIPTION_PROMPT,
    chatModel: 'gpt-4o-mini',
    companionUrl: 'http://127.0.0.1:8730',
    companionToken: '',
    voice: '',
    speed: 1,
    teacherInstructions: DEFAULT_TEACHER_INSTRUCTIONS,
    handsFree: false,
    recordingRetentionDays: 7,
    explanationLanguage: 'zh-CN',
  };

  async function migrate(saved: SettingsV2, tag: string) {
    await fakeBrowser.storage.local.set({ settings: saved, settings$: { v: 2 } });
    const module = (await import(`./settings?${tag}` as string)) as typeof import('./settings');
    return { migrated: await module.loadSettings(), meta: await module.settingsItem.getMeta() };
  }

  it('migrate to version 3: the untouched 2023 prompt gives way to the teacher shaped by level and scenario; no guided start for someone already set up', async () => {
    const { migrated, meta } = await migrate(v2, 'v2-untouched');
    expect(meta).toEqual({ v: 3 });
    expect(migrated).toMatchObject({
      teacherStyle: 'shaped',
      level: 'B1',
      scenario: 'free',
      guidedStartDone: true,
      interfaceLanguage: 'browser',
    });
    // Nothing the learner chose is lost.
    expect(migrated).toMatchObject({ recordingRetentionDays: 7, explanationLanguage: 'zh-CN' });
  });

  it('migrate to version 3: instructions the learner wrote stay in use', async () => {
    const { migrated } = await migrate({ ...v2, teacherInstructions: 'Talk like a pirate.' }, 'v2-custom');
    expect(migrated).toMatchObject({ teacherStyle: 'custom', teacherInstructions: 'Talk like a pirate.' });
  });

  it('start a new learner with the guided start and the shaped teacher', async () => {
    expect(await loadSettings()).toMatchObject({ guidedStartDone: false, teacherStyle: 'shaped' });
  });
});
