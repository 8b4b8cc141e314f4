import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refusal, type PronunciationResult } from '@/core/pronunciation';
import { compareAttempt } from './word-diff';
import { AttemptResult, SayItAgain } from './SayItAgain';

const TARGET = 'I went home';
const JUDGED: PronunciationResult = {
  kind: 'judged',
  score: 64,
  words: [
    { text: 'I', verdict: 'good', start: 0.1, end: 0.2, score: 90, phones: [] },
    { text: 'went', verdict: 'unclear', start: 0.2, end: 0.5, score: 40, phones: [] },
    { text: 'home', verdict: 'good', start: 0.5, end: 0.9, score: 85, phones: [] },
  ],
  soundsToWorkOn: [],
  elapsedMs: 120,
};

afterEach(cleanup);

describe('the result of an attempt', () => {
  it('reads as one result with a transcription and a judgement: one status line, the marks, then what was heard', () => {
    const { container } = render(
      <AttemptResult comparison={compareAttempt(TARGET, 'I want home')} said="I want home" pronunciation={JUDGED} />,
    );
    expect(screen.getAllByRole('status').map((s) => s.textContent)).toEqual([
      '2 of 3 words right. Try again when you are ready. Pronunciation: 64 / 100',
    ]);
    expect(container.querySelectorAll('.pronunciation-words li')).toHaveLength(3);
    expect(screen.getByRole('list', { name: 'Your words' })).toBeTruthy();
    expect(screen.getByText('We heard: “I want home”')).toBeTruthy();
    expect(container.querySelectorAll('.attempt')).toHaveLength(1);
  });

  it('leaves out the heard words when every word was right, and keeps today’s view without a judgement', () => {
    const { rerender } = render(
      <AttemptResult comparison={compareAttempt(TARGET, 'I went home')} said="I went home" pronunciation={JUDGED} />,
    );
    expect(screen.getByRole('status').textContent).toBe('Every word right. Well done! Pronunciation: 64 / 100');
    expect(screen.queryByRole('list', { name: 'Your words' })).toBeNull();
    rerender(<AttemptResult comparison={compareAttempt(TARGET, 'I want home')} said="I want home" />);
    expect(screen.getByRole('status').textContent).toBe('2 of 3 words right. Try again when you are ready.');
    expect(screen.getByRole('list', { name: 'Your words' })).toBeTruthy();
    expect(screen.queryByText(/\/ 100/)).toBeNull();
  });

  it('shows a refusal beside the transcription’s words, and nothing without either', () => {
    const { container, rerender } = render(
      <AttemptResult comparison={compareAttempt(TARGET, 'I')} said="I" pronunciation={refusal('too-short')} />,
    );
    expect(screen.getByRole('alert').textContent).toBe(
      'That was too short to judge: say the whole sentence, then press again.',
    );
    expect(screen.getByRole('status').textContent).toBe('1 of 3 words right. Try again when you are ready.');
    rerender(<AttemptResult said="" />);
    expect(container.textContent).toBe('');
  });

  it('“Say it again” passes the judgement and the word player to the result', () => {
    const onPlayWord = vi.fn();
    render(
      <SayItAgain
        target={TARGET}
        drill={{ status: 'done', said: '', pronunciation: JUDGED }}
        onPress={vi.fn()}
        onPlayWord={onPlayWord}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'went — unclear. Play your recording and the teacher’s' }));
    expect(onPlayWord).toHaveBeenCalledWith(1);
  });
});
