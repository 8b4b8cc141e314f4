import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetDbConnection } from '@/core/db/open';
import { DB_NAME } from '@/core/db/schema';
import type { SoundToWorkOn, WordJudgement } from '@/core/pronunciation';
import { deleteDatabase } from '@/core/testing/idb';
import type { DrillState } from '../corrections/SayItAgain';
import type { PracticeResult } from '../talk/practice-attempts';
import type { PracticeTarget } from '../talk/turn-machine';
import { SoundsTab } from './SoundsTab';
import { createSounds, soundDrillTarget } from './sounds-store';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date(2026, 10, 2, 10, 0, 0).getTime();

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});
afterEach(cleanup);

const unclear = (text: string): WordJudgement => ({
  text,
  verdict: 'unclear',
  start: 0,
  end: 0,
  score: 40,
  phones: [],
});

function repeatJudged(text: string, at: number, sounds: SoundToWorkOn[]): PracticeResult {
  return {
    target: { id: `repeat:m:${at}`, text, kind: 'repeat' },
    said: '',
    pronunciation: {
      kind: 'judged',
      score: 60,
      words: sounds.map((s) => unclear(s.word)),
      soundsToWorkOn: sounds,
      elapsedMs: 100,
    },
    durationMs: 1500,
    at,
  };
}

/** Two conversations: /θ/ went wrong in both, the final consonant in the second only. */
async function twoSessions() {
  const store = createSounds();
  await store.onAttempt(
    repeatJudged('I think so', T0, [
      { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' },
    ]),
    'monday',
  );
  await store.onAttempt(
    repeatJudged('Three cold days', T0 + DAY, [
      { sound: 'th-voiceless', ipa: 'θ', word: 'Three', heardInstead: 'f', kind: 'substituted' },
      { sound: 'final-consonant', ipa: '…C', word: 'cold', kind: 'dropped' },
    ]),
    'tuesday',
  );
  return store.sounds.value;
}

const idle = (): DrillState => ({ status: 'idle' });
const itemOf = (heading: RegExp) => screen.getByRole('heading', { name: heading }).closest('li')!;

describe('the Sounds tab', () => {
  it('lists each sound kept across two conversations: its IPA, examples, times it went wrong, when it is due', async () => {
    const sounds = await twoSessions();
    render(<SoundsTab sounds={sounds} drillOf={idle} onPractise={vi.fn()} now={T0 + DAY} />);

    const th = itemOf(/\/θ\//);
    expect(within(th).getByText('Went wrong 2 times')).toBeTruthy();
    expect(within(th).getByText('in 2 conversations')).toBeTruthy();
    expect(within(th).getByText('Due today')).toBeTruthy();
    const examples = within(within(th).getByRole('list', { name: 'Where it went wrong' })).getAllByRole('listitem');
    expect(examples.map((li) => li.textContent)).toEqual([
      'Three “Three cold days” sounded like /f/',
      'think “I think so” sounded like /s/',
    ]);

    expect(screen.getAllByRole('heading').map((h) => h.textContent)).toEqual(['/θ/', 'Final consonants (bag, cold)']);
    const final = itemOf(/Final consonants/);
    expect(within(final).getByText('Went wrong once')).toBeTruthy();
    expect(within(final).getByText('in 1 conversation')).toBeTruthy();
    expect(within(final).getByText('left out')).toBeTruthy();
  });

  it('shows the sound’s name and hint when the panel has them', async () => {
    const sounds = await twoSessions();
    render(
      <SoundsTab
        sounds={sounds}
        drillOf={idle}
        onPractise={vi.fn()}
        nameOf={(id) => (id === 'th-voiceless' ? '/θ/ as in “think”' : '')}
        hintOf={(id) => (id === 'th-voiceless' ? 'Put the tip of your tongue between your teeth.' : '')}
      />,
    );
    const th = itemOf(/^\/θ\/ as in “think”$/);
    expect(within(th).getByText('Put the tip of your tongue between your teeth.')).toBeTruthy();
  });

  it('starts the minimal-pair drill with Practise, shows its result, and moves to the next pair', async () => {
    const sounds = await twoSessions();
    const onPractise = vi.fn();
    const drills: Record<string, DrillState> = {};
    // A new drillOf each render, as the panel gives: @preact/signals skips a component whose props are all the same.
    const view = () => (
      <SoundsTab
        sounds={sounds}
        drillOf={(target: PracticeTarget) => drills[target.id] ?? idle()}
        onPractise={onPractise}
      />
    );
    const { rerender } = render(view());
    const th = () => itemOf(/\/θ\//);
    expect(within(th()).getByText('Say: think — sink')).toBeTruthy();
    fireEvent.click(within(th()).getByRole('button', { name: 'Practise /θ/: say think — sink' }));
    expect(onPractise).toHaveBeenCalledWith(soundDrillTarget('th-voiceless', 0));

    drills['sound:th-voiceless:0'] = { status: 'recording' };
    rerender(view());
    fireEvent.click(within(th()).getByRole('button', { name: 'Stop' }));
    expect(onPractise).toHaveBeenLastCalledWith(soundDrillTarget('th-voiceless', 0));

    drills['sound:th-voiceless:0'] = { status: 'done', said: '' };
    rerender(view());
    expect(within(th()).getByRole('button', { name: 'Say it again' })).toBeTruthy();
    fireEvent.click(within(th()).getByRole('button', { name: 'Next pair' }));
    expect(within(th()).getByText('Say: three — free')).toBeTruthy();
    fireEvent.click(within(th()).getByRole('button', { name: 'Practise /θ/: say three — free' }));
    expect(onPractise).toHaveBeenLastCalledWith(soundDrillTarget('th-voiceless', 1));
  });

  it('waits while the microphone is in use, and says how sounds get there when there are none', async () => {
    const sounds = await twoSessions();
    render(<SoundsTab sounds={sounds} drillOf={idle} onPractise={vi.fn()} practiseDisabled={() => true} />);
    expect((within(itemOf(/\/θ\//)).getByRole('button', { name: /^Practise/ }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    cleanup();
    render(<SoundsTab sounds={[]} drillOf={idle} onPractise={vi.fn()} />);
    expect(screen.getByText(/^No sounds yet\. When you say a sentence again or repeat after the teacher/)).toBeTruthy();
  });
});
