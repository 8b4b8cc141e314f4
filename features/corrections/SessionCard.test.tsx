import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '@/features/corrections/session-summary';
import { SessionCard } from './SessionCard';

const SUMMARY: SessionSummary = {
  corrections: [
    {
      messageId: 'm1',
      sentence: 'I go home',
      correctedSentence: 'I went home',
      corrections: [{ original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' }],
    },
  ],
  phrases: ['I went home.'],
  fluency: {
    source: 'word-timestamps',
    turns: 1,
    words: 6,
    speakingSeconds: 3.6,
    wordsPerMinute: 100,
    pausesOverOneSecond: 1,
    longestPauseSeconds: 1.4,
  },
};

afterEach(cleanup);

describe('the session card', () => {
  it('shows the corrections, the phrases worth keeping and the fluency figures from word timings', () => {
    const onSayAgain = vi.fn();
    render(<SessionCard summary={SUMMARY} onSayAgain={onSayAgain} />);
    expect(document.querySelector('.sentence-diff del')?.textContent).toBe('removed: go');
    expect(screen.getByText('Past tense.')).toBeTruthy();
    expect(screen.getByText('100')).toBeTruthy();
    expect(screen.getByText('1.4 s')).toBeTruthy();
    expect(screen.getByText(/From the timing of each word/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Say “I went home.” again' }));
    expect(onSayAgain).toHaveBeenCalledWith('I went home.');
  });

  it('labels figures from the recordings’ length and does not invent pauses', () => {
    render(
      <SessionCard
        summary={{
          ...SUMMARY,
          fluency: {
            ...SUMMARY.fluency!,
            source: 'recording-length',
            pausesOverOneSecond: null,
            longestPauseSeconds: null,
          },
        }}
      />,
    );
    expect(screen.getAllByText('not measured')).toHaveLength(2);
    expect(screen.getByText(/From the length of your recordings/)).toBeTruthy();
  });

  it('shows the session’s pronunciation score beside words per minute, and nothing of it when no attempt was judged', () => {
    render(<SessionCard summary={{ ...SUMMARY, pronunciation: { score: 74, attempts: 3 } }} />);
    const row = screen.getByText('Pronunciation').closest('div')!;
    expect(row.parentElement).toBe(screen.getByText('Words per minute').closest('dl'));
    expect(row.querySelector('dd')?.textContent).toBe('74 / 100 from 3 judged attempts');
    cleanup();

    render(<SessionCard summary={{ ...SUMMARY, pronunciation: null }} />);
    expect(screen.getByText('100')).toBeTruthy();
    expect(screen.queryByText('Pronunciation')).toBeNull();
    expect(document.body.textContent).not.toContain('/ 100');
  });

  it('shows the pronunciation score when the session had judged attempts but too little speech for fluency', () => {
    render(<SessionCard summary={{ ...SUMMARY, fluency: null, pronunciation: { score: 88, attempts: 1 } }} />);
    expect(screen.getByText('Pronunciation').closest('div')?.querySelector('dd')?.textContent).toBe(
      '88 / 100 from 1 judged attempt',
    );
    expect(screen.getByText('Not enough speech for fluency figures.')).toBeTruthy();
  });
});
