import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { createEmptyCard } from 'ts-fsrs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NotebookEntry } from '@/core/db/schema';
import { NotebookView } from './NotebookView';

const NOW = new Date(2026, 10, 29, 12, 0, 0).getTime();
const DAY = 24 * 60 * 60 * 1000;

function entry(
  id: string,
  original: string,
  corrected: string,
  kind: NotebookEntry['correction']['kind'],
  due: number,
  sentence: string,
): NotebookEntry {
  return {
    id,
    conversationId: `c-${id}`,
    messageId: `m-${id}`,
    correctionIndex: 0,
    sentence,
    correctedSentence: sentence.replace(original, corrected),
    natural: '',
    createdAt: NOW - DAY,
    correction: { original, corrected, explanation: `Because of ${corrected}.`, kind },
    card: createEmptyCard(new Date(due)),
    due,
  };
}

const ENTRIES = [
  entry('a', 'go', 'went', 'grammar', NOW - 1000, 'Yesterday I go home'),
  entry('b', 'make a photo', 'take a photo', 'word_choice', NOW + 3 * DAY, 'I make a photo'),
  entry('c', 'buyed', 'bought', 'grammar', NOW + 1000, 'I buyed bread'),
];

const props = () => ({
  onSayAgain: vi.fn(),
  onExportCsv: vi.fn(),
  onExportAnki: vi.fn(),
  onExportConversation: vi.fn(),
});

afterEach(cleanup);

const shownChanges = () =>
  [...document.querySelectorAll('.notebook-entry .correction-change del')].map((d) => d.textContent);

describe('the notebook view', () => {
  it('lists every entry and counts those due today', () => {
    render(<NotebookView entries={ENTRIES} now={NOW} {...props()} />);
    expect(shownChanges()).toEqual(['go', 'make a photo', 'buyed']);
    expect(screen.getByText('2 to review today')).toBeTruthy();
  });

  it('filters by kind, by search and by due today', () => {
    render(<NotebookView entries={ENTRIES} now={NOW} {...props()} />);
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'word_choice' } });
    expect(shownChanges()).toEqual(['make a photo']);
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: '' } });
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'BREAD' } });
    expect(shownChanges()).toEqual(['buyed']);
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText('Due today only'));
    expect(shownChanges()).toEqual(['go', 'buyed']);
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'photo' } });
    expect(screen.getByText('Nothing matches these filters.')).toBeTruthy();
  });

  it('exports, and says each entry again or exports its conversation', () => {
    const p = props();
    render(<NotebookView entries={ENTRIES} now={NOW} {...p} />);
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(p.onExportCsv).toHaveBeenCalledOnce();
    fireEvent.click(screen.getByRole('button', { name: 'Export for Anki' }));
    expect(p.onExportAnki).toHaveBeenCalledOnce();
    const second = screen.getAllByRole('listitem').filter((li) => li.classList.contains('notebook-entry'))[1]!;
    fireEvent.click(within(second).getByRole('button', { name: 'Say it again' }));
    expect(p.onSayAgain).toHaveBeenCalledWith(ENTRIES[1]);
    fireEvent.click(within(second).getByRole('button', { name: 'Conversation as Markdown' }));
    expect(p.onExportConversation).toHaveBeenCalledWith('c-b');
    expect(within(second).getByText(/^Next review/)).toBeTruthy();
  });

  it('says what to do when the notebook is empty', () => {
    render(<NotebookView entries={[]} now={NOW} {...props()} />);
    expect(screen.getByText('No corrections yet. They are kept here as you talk.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Export CSV' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Export for Anki' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('has "Corrections | Sounds" tabs, moved between with the arrow keys, Home and End, one tab stop', () => {
    render(<NotebookView entries={ENTRIES} now={NOW} {...props()} sounds={<p>The sounds list</p>} />);
    const tablist = screen.getByRole('tablist', { name: 'Notebook sections' });
    const [corrections, sounds] = within(tablist).getAllByRole('tab');
    const state = () => ({
      selected: [corrections, sounds].map((tab) => tab!.getAttribute('aria-selected')),
      tabStops: [corrections, sounds].map((tab) => tab!.tabIndex),
      focused: document.activeElement?.textContent,
      visible: screen.queryByRole('tabpanel')?.textContent?.includes('The sounds list') ? 'sounds' : 'corrections',
    });
    expect(corrections?.textContent).toBe('Corrections');
    expect(sounds?.textContent).toBe('Sounds');
    expect(state()).toMatchObject({ selected: ['true', 'false'], tabStops: [0, -1], visible: 'corrections' });
    expect(shownChanges()).toEqual(['go', 'make a photo', 'buyed']);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(corrections!.id);

    corrections!.focus();
    fireEvent.keyDown(corrections!, { key: 'ArrowRight' });
    expect(state()).toEqual({ selected: ['false', 'true'], tabStops: [-1, 0], focused: 'Sounds', visible: 'sounds' });
    // The corrections' own controls belong to their tab.
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(sounds!.id);

    fireEvent.keyDown(sounds!, { key: 'ArrowRight' });
    expect(state()).toMatchObject({ selected: ['true', 'false'], focused: 'Corrections', visible: 'corrections' });
    fireEvent.keyDown(corrections!, { key: 'ArrowLeft' });
    expect(state()).toMatchObject({ selected: ['false', 'true'], focused: 'Sounds' });
    fireEvent.keyDown(sounds!, { key: 'Home' });
    expect(state()).toMatchObject({ selected: ['true', 'false'], focused: 'Corrections' });
    fireEvent.keyDown(corrections!, { key: 'End' });
    expect(state()).toMatchObject({ selected: ['false', 'true'], focused: 'Sounds' });
    fireEvent.click(corrections!);
    expect(state()).toMatchObject({ selected: ['true', 'false'], visible: 'corrections' });
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeTruthy();
  });

  it('has no tabs when it is given no Sounds tab', () => {
    render(<NotebookView entries={ENTRIES} now={NOW} {...props()} />);
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(shownChanges()).toEqual(['go', 'make a photo', 'buyed']);
  });
});
