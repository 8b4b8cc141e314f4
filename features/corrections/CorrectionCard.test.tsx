import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareAttempt } from '@/features/corrections/word-diff';
import { CorrectionCard, type CorrectionCardState } from './CorrectionCard';

const CHECK = {
  sentence: 'Yesterday I go to the library',
  corrections: [
    { original: 'go', corrected: 'went', explanation: 'Use the past tense for yesterday.', kind: 'grammar' as const },
  ],
  natural: 'I went to the library yesterday.',
  dismissed: [],
  misheard: false,
};
const DONE: CorrectionCardState = { status: 'done', check: CHECK };

const handlers = () => ({ onRetry: vi.fn(), onMisheard: vi.fn(), onSayAgain: vi.fn() });

afterEach(cleanup);

describe('the correction card', () => {
  it('shows the diff (removed struck through, added marked, said in words too), the reason and the natural version', () => {
    const { container } = render(<CorrectionCard state={DONE} {...handlers()} />);
    const diff = container.querySelector('.sentence-diff')!;
    expect(diff.querySelector('del')?.textContent).toBe('removed: go');
    expect(diff.querySelector('ins')?.textContent).toBe('added: went');
    expect(screen.getByText('Use the past tense for yesterday.')).toBeTruthy();
    expect(screen.getByText('I went to the library yesterday.')).toBeTruthy();
    expect(screen.getByText(/· Grammar/)).toBeTruthy();
  });

  it('"I didn’t say that" reports which correction', () => {
    const h = handlers();
    render(<CorrectionCard state={DONE} {...h} />);
    fireEvent.click(screen.getByRole('button', { name: 'I didn’t say “go”' }));
    expect(h.onMisheard).toHaveBeenCalledWith(0);
  });

  it('hides a dismissed correction and says the transcript was marked wrong', () => {
    render(
      <CorrectionCard
        state={{ status: 'done', check: { ...CHECK, dismissed: [0], misheard: true } }}
        {...handlers()}
      />,
    );
    expect(screen.queryByText('Use the past tense for yesterday.')).toBeNull();
    expect(screen.getByText(/You said the transcript was wrong/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Say it again' })).toBeNull();
  });

  it('says a correct sentence is correct', () => {
    render(
      <CorrectionCard
        state={{ status: 'done', check: { ...CHECK, corrections: [], natural: 'Yesterday I go to the library' } }}
        {...handlers()}
      />,
    );
    expect(screen.getByText('✓ No corrections: well said.')).toBeTruthy();
  });

  it('shows checking, then could-not-check with Retry', () => {
    const h = handlers();
    const { rerender } = render(<CorrectionCard state={{ status: 'checking' }} {...h} />);
    expect(screen.getByRole('status').textContent).toBe('Checking your sentence…');
    rerender(
      <CorrectionCard
        state={{
          status: 'failed',
          message: 'api.example.test had a problem on its side (500). Press Retry in a moment.',
          canRetry: true,
        }}
        {...h}
      />,
    );
    expect(screen.getByRole('alert').textContent).toMatch(
      /^Could not check this sentence\. api\.example\.test had a problem/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(h.onRetry).toHaveBeenCalledOnce();
  });

  it('"Say it again" asks for the corrected sentence, turns into Stop while recording, and shows the word-by-word result', () => {
    const h = handlers();
    const { rerender } = render(<CorrectionCard state={DONE} {...h} />);
    fireEvent.click(screen.getByRole('button', { name: 'Say it again' }));
    expect(h.onSayAgain).toHaveBeenCalledWith('Yesterday I went to the library');

    rerender(<CorrectionCard state={DONE} drill={{ status: 'recording' }} {...h} />);
    expect(screen.getByRole('button', { name: 'Stop' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('Say: “Yesterday I went to the library”')).toBeTruthy();

    const said = 'Yesterday I go to the library';
    rerender(
      <CorrectionCard
        state={DONE}
        drill={{ status: 'done', said, comparison: compareAttempt('Yesterday I went to the library', said) }}
        {...h}
      />,
    );
    expect(screen.getByText('5 of 6 words right. Try again when you are ready.')).toBeTruthy();
    expect(screen.getByText('(you said “go”)')).toBeTruthy();

    rerender(
      <CorrectionCard
        state={DONE}
        drill={{
          status: 'done',
          said: 'yesterday I went to the library',
          comparison: compareAttempt('Yesterday I went to the library', 'yesterday I went to the library'),
        }}
        {...h}
      />,
    );
    expect(screen.getByText('Every word right. Well done!')).toBeTruthy();
  });
});
