import path from 'node:path';
import { signal } from '@preact/signals';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, describe, expect, it } from 'vitest';
import { applyInterfaceLanguage, setMessages } from '@/core/i18n';
import { LocalBadge } from './LocalBadge';
import { ProviderFields } from './ProviderFields';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { thisComputerSettings } from './this-computer';

afterEach(async () => {
  cleanup();
  await applyInterfaceLanguage('browser');
});

const everythingHere = thisComputerSettings(DEFAULT_SETTINGS, 'ollama');

function renderFields(settings: Settings) {
  const draft = signal<Settings>(settings);
  render(<ProviderFields draft={draft} apiKey={signal('')} transcriptionKey={signal('')} />);
  return draft;
}

describe('Settings › This computer', () => {
  it('one choice sets transcription, chat and voice, and the form shows each part as chosen', () => {
    const draft = renderFields({ ...DEFAULT_SETTINGS, companionUrl: 'http://127.0.0.1:9100' });
    expect(screen.getByText(/Leaves this computer/)).toBeTruthy();
    expect(screen.getByText('your recordings, for transcription → api.openai.com')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('This computer'), { target: { value: 'lmstudio' } });

    expect(draft.value).toMatchObject({
      apiBaseUrl: 'http://localhost:1234/v1',
      chatModel: 'qwen2.5-7b-instruct',
      transcriptionUrl: 'http://127.0.0.1:9100/v1',
      transcriptionModel: 'tiny.en',
      companionUrl: 'http://127.0.0.1:9100',
    });
    expect((screen.getByLabelText('This computer') as HTMLSelectElement).value).toBe('lmstudio');
    expect((screen.getByLabelText('Provider') as HTMLSelectElement).value).toBe('lmstudio');
    expect((screen.getByLabelText('Transcription server') as HTMLSelectElement).value).toBe('companion');
    expect(screen.getByText(/Nothing leaves this computer: your recordings/)).toBeTruthy();
    expect(screen.queryByText(/Leaves this computer/)).toBeNull();
  });

  it('the learner can still change one part: the form then names what leaves', () => {
    const draft = renderFields(everythingHere);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'deepseek' } });
    expect(draft.value).toMatchObject({ apiBaseUrl: 'https://api.deepseek.com/v1', transcriptionModel: 'tiny.en' });
    expect((screen.getByLabelText('This computer') as HTMLSelectElement).value).toBe('');
    expect((screen.getByLabelText('Transcription server') as HTMLSelectElement).value).toBe('companion');
    expect(
      screen.getByText('what you say, the corrections and the pages you share, for chat → api.deepseek.com'),
    ).toBeTruthy();
  });

  it('the companion can be chosen as the transcription server alone', () => {
    const draft = renderFields(DEFAULT_SETTINGS);
    fireEvent.change(screen.getByLabelText('Transcription server'), { target: { value: 'companion' } });
    expect(draft.value).toMatchObject({
      apiBaseUrl: 'https://api.openai.com/v1',
      transcriptionUrl: 'http://127.0.0.1:8730/v1',
      transcriptionModel: 'tiny.en',
    });
  });
});

describe('the panel’s "Nothing leaves this computer"', () => {
  it('is shown, with its accessible name, when every server in use is on this computer', () => {
    render(<LocalBadge settings={everythingHere} />);
    const badge = screen.getByRole('note', {
      name: 'Nothing leaves this computer: transcription, chat, corrections and the voice all run on it.',
    });
    expect(badge.textContent).toBe('Nothing leaves this computer');
  });

  it('says nothing in the panel when one server is elsewhere (Settings says which)', () => {
    const { container } = render(
      <LocalBadge settings={{ ...everythingHere, companionUrl: 'http://192.168.1.5:8730' }} />,
    );
    expect(container.textContent).toBe('');
    cleanup();
    const chatElsewhere = render(
      <LocalBadge settings={{ ...everythingHere, apiBaseUrl: 'https://api.openai.com/v1' }} />,
    );
    expect(chatElsewhere.container.textContent).toBe('');
  });

  it('in 简体中文', async () => {
    const file = (locale: string) => path.resolve(__dirname, `../../locales/${locale}.yml`);
    const en = generateChromeMessages(await parseMessagesFile(file('en')));
    const zh = generateChromeMessages(await parseMessagesFile(file('zh_CN')));
    setMessages('zh_CN', zh, en);
    render(<LocalBadge settings={everythingHere} />);
    const badge = screen.getByRole('note', { name: '一切都不离开本机：转写、聊天、纠错和语音都在本机运行。' });
    expect(badge.textContent).toBe('一切都不离开本机');
  });
});
