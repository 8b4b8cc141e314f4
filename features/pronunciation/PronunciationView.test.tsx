import path from 'node:path';
import { signal } from '@preact/signals';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setOtherMessages } from '@/core/i18n';
import { refusal, type PronunciationResult, type SoundToWorkOn } from '@/core/pronunciation';
import { DEFAULT_SETTINGS } from '@/features/settings/settings';
import type { PanelStore } from '../../panel/panel-store';
import { StoreContext } from '../../panel/store-context';
import { PronunciationView } from './PronunciationView';

const ZH_HINT_TH = '舌尖轻轻放在上下牙齿之间';
const EN_HINT_TH = 'Put the tip of your tongue lightly between your teeth';

const SOUNDS: SoundToWorkOn[] = [
  { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' },
  { sound: 'final-consonant', ipa: 'd', word: 'world', kind: 'dropped' },
  { sound: 'v', ipa: 'v', word: 'very', heardInstead: 'w', kind: 'substituted' },
  { sound: 'l', ipa: 'l', word: 'light', heardInstead: 'n', kind: 'substituted' },
];

const JUDGED: PronunciationResult = {
  kind: 'judged',
  score: 78.4,
  words: [
    { text: 'I', verdict: 'good', start: 0.1, end: 0.3, score: 92, phones: [] },
    { text: 'think', verdict: 'unclear', start: 0.3, end: 0.7, score: 48, phones: [] },
    { text: 'Tokyo', verdict: 'unknown', start: 0, end: 0, phones: [] },
    { text: 'world', verdict: 'missed', start: 0, end: 0, score: 0, phones: [] },
  ],
  soundsToWorkOn: SOUNDS,
  elapsedMs: 140,
};

beforeAll(async () => {
  const zh = await parseMessagesFile(path.resolve(__dirname, '../../locales/zh_CN.yml'));
  setOtherMessages('zh_CN', generateChromeMessages(zh));
});
afterEach(cleanup);

/** What a sighted learner who cannot tell the colours apart reads of each word. */
const wordTexts = (container: Element) =>
  [...container.querySelectorAll('.pronunciation-words li')].map((li) => li.textContent?.replace(/\s+/g, ' ').trim());

describe('the pronunciation of an attempt', () => {
  it('shows the score out of 100 and every word with a mark and a label, not colour alone', () => {
    const { container } = render(<PronunciationView judgement={JUDGED} language="en" />);
    expect(screen.getByRole('status').textContent).toBe('Pronunciation: 78 / 100');
    expect(wordTexts(container)).toEqual(['I✓said well', 'think~(unclear)', 'Tokyo(not judged)', 'world✗(missed)']);
  });

  it('plays a word when it is pressed, each word a button named by its word and verdict; an unknown word is not', () => {
    const onPlayWord = vi.fn();
    render(<PronunciationView judgement={JUDGED} language="en" onPlayWord={onPlayWord} />);
    fireEvent.click(screen.getByRole('button', { name: 'think — unclear. Play your recording and the teacher’s' }));
    expect(onPlayWord).toHaveBeenLastCalledWith(1);
    fireEvent.click(screen.getByRole('button', { name: 'world — missed. Hear the teacher say it' }));
    expect(onPlayWord).toHaveBeenLastCalledWith(3);
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label')?.split(' — ')[0])).toEqual([
      'I',
      'think',
      'world',
    ]);
  });

  it('has no word buttons when nothing can play them', () => {
    render(<PronunciationView judgement={JUDGED} language="en" />);
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  it('lists at most three sounds to work on: the sound in IPA, its word, what was heard and a hint', () => {
    const { container } = render(<PronunciationView judgement={JUDGED} language="en" />);
    const items = [...container.querySelectorAll('.pronunciation-sound')].map((li) => li.textContent ?? '');
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^\/θ\/ in “think” It sounded closer to \/s\/\. Put the tip of your tongue lightly/);
    expect(items[1]).toMatch(/^\/d\/ in “world” It was left out\. Finish the word/);
    expect(items[2]).toMatch(/^\/v\/ in “very” It sounded closer to \/w\/\. Rest your upper teeth/);
    expect(container.textContent).not.toContain('“light”');
  });

  it('gives the hints in the learner’s explanation language (Settings), the rest in the interface language', () => {
    const store = { settings: signal({ ...DEFAULT_SETTINGS, explanationLanguage: 'zh-CN' as const }) };
    const { container } = render(
      <StoreContext.Provider value={store as unknown as PanelStore}>
        <PronunciationView judgement={JUDGED} />
      </StoreContext.Provider>,
    );
    const first = container.querySelector('.pronunciation-sound')?.textContent ?? '';
    expect(first).toContain('“think”中的 /θ/');
    expect(first).toContain('听起来更像 /s/。');
    expect(first).toContain(ZH_HINT_TH);
    expect(first).not.toContain(EN_HINT_TH);
    expect(container.querySelector('.pronunciation-sounds ul')?.getAttribute('lang')).toBe('zh-CN');
    expect(screen.getByRole('heading').textContent).toBe('Sounds to work on');
    expect(screen.getByRole('status').textContent).toBe('Pronunciation: 78 / 100');
  });

  it('shows a refusal’s message, which says what to do, instead of a score', () => {
    render(<PronunciationView judgement={refusal('silent')} language="en" />);
    expect(screen.getByRole('alert').textContent).toBe(
      'Nothing was heard. Check that the microphone is on and say the sentence again.',
    );
    expect(screen.queryByText(/\/ 100/)).toBeNull();
    expect(screen.queryByRole('list')).toBeNull();
  });
});
