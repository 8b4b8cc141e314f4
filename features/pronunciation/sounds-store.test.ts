import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetDbConnection } from '@/core/db/open';
import { DB_NAME } from '@/core/db/schema';
import { createConversation, deleteConversation } from '@/core/db/conversations';
import { getSound, listJudgedAttempts, listJudgedAttemptsSince, listSounds } from '@/core/db/sounds';
import type { PronunciationJudgement, SoundToWorkOn, WordJudgement } from '@/core/pronunciation';
import { deleteDatabase } from '@/core/testing/idb';
import type { PracticeResult } from '../talk/practice-attempts';
import type { PracticeTarget } from '../talk/turn-machine';
import { createNotebook } from '../corrections/notebook-store';
import { createSounds, soundDrillTarget, soundsWorkedOnSince } from './sounds-store';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = new Date(2026, 10, 2, 10, 0, 0).getTime();

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

const word = (text: string, verdict: WordJudgement['verdict']): WordJudgement => ({
  text,
  verdict,
  start: 0,
  end: 0,
  score: verdict === 'good' ? 90 : 40,
  phones: [],
});

const TH: SoundToWorkOn = { sound: 'th-voiceless', ipa: 'θ', word: 'think', heardInstead: 's', kind: 'substituted' };
const FINAL: SoundToWorkOn = { sound: 'final-consonant', ipa: '…C', word: 'cold', kind: 'dropped' };

function judged(
  target: PracticeTarget,
  at: number,
  score: number,
  words: WordJudgement[],
  soundsToWorkOn: SoundToWorkOn[] = [],
): PracticeResult {
  const pronunciation: PronunciationJudgement = { kind: 'judged', score, words, soundsToWorkOn, elapsedMs: 120 };
  return { target, said: '', pronunciation, durationMs: 2000, at };
}

const repeat = (text: string): PracticeTarget => ({ id: `repeat:m1:0`, text, kind: 'repeat' });

describe('what the notebook keeps of a judged attempt', () => {
  it('keeps the score and each sound to work on, across conversations, the newest example first', async () => {
    const onChanged = vi.fn();
    const store = createSounds({ onChanged });
    await store.onAttempt(
      judged(repeat('I think it is cold'), T0, 62, [word('think', 'unclear'), word('cold', 'unclear')], [TH, FINAL]),
      'c1',
    );
    await store.onAttempt(
      judged(
        repeat('Thank you'),
        T0 + DAY,
        80,
        [word('Thank', 'unclear')],
        [{ ...TH, word: 'Thank', heardInstead: 't' }],
      ),
      'c2',
    );

    const th = await getSound('th-voiceless');
    expect(th?.ipa).toBe('θ');
    expect(th?.wrongCount).toBe(2);
    expect(th?.conversationIds).toEqual(['c1', 'c2']);
    expect(th?.examples.map((e) => [e.word, e.text, e.heardInstead, e.conversationId])).toEqual([
      ['Thank', 'Thank you', 't', 'c2'],
      ['think', 'I think it is cold', 's', 'c1'],
    ]);
    expect((await getSound('final-consonant'))?.examples[0]).toMatchObject({ word: 'cold', conversationId: 'c1' });
    expect((await getSound('final-consonant'))?.examples[0]?.heardInstead).toBeUndefined();
    // A sound never reviewed is due at once.
    expect(th!.due).toBeLessThanOrEqual(T0);

    expect((await listJudgedAttempts('c1')).map((a) => [a.score, a.kind])).toEqual([[62, 'repeat']]);
    expect((await listJudgedAttempts('c2')).map((a) => a.score)).toEqual([80]);
    // The Sounds tab's list follows.
    expect(store.sounds.value.map((s) => s.id).sort()).toEqual(['final-consonant', 'th-voiceless']);
    expect(onChanged).toHaveBeenCalledTimes(2);
  });

  it('names the sounds worked on since a time for the teacher, the most frequent first', async () => {
    const store = createSounds();
    await store.onAttempt(judged(repeat('It is cold'), T0, 70, [word('cold', 'unclear')], [FINAL]), 'c1');
    await store.onAttempt(judged(repeat('I think so'), T0 + DAY, 60, [word('think', 'unclear')], [TH]), 'c1');
    await store.onAttempt(
      judged(repeat('Thank you'), T0 + 2 * DAY, 60, [word('Thank', 'unclear')], [{ ...TH, word: 'Thank' }]),
      'c2',
    );
    expect(await soundsWorkedOnSince(0)).toEqual(['/θ/ (Thank)', 'final consonants (cold)']);
    // After a "Forget everything" between the attempts, only what came later counts.
    expect(await soundsWorkedOnSince(T0 + DAY / 2)).toEqual(['/θ/ (Thank)']);
    expect(await soundsWorkedOnSince(T0 + 3 * DAY)).toEqual([]);
  });

  it('counts a sound once per attempt, and keeps nothing of a refusal or of an attempt not judged', async () => {
    const store = createSounds();
    await store.onAttempt(
      judged(
        repeat('think three'),
        T0,
        50,
        [word('think', 'unclear'), word('three', 'unclear')],
        [TH, { ...TH, word: 'three' }],
      ),
      'c1',
    );
    expect((await getSound('th-voiceless'))?.wrongCount).toBe(1);

    const refused: PracticeResult = {
      target: repeat('Hi'),
      said: '',
      pronunciation: { kind: 'refused', reason: 'too-short', messageKey: 'pronunciation.tooShort' },
      durationMs: 300,
      at: T0 + MINUTE,
    };
    await store.onAttempt(refused, 'c1');
    await store.onAttempt({ ...refused, pronunciation: undefined }, 'c1');
    expect((await listJudgedAttempts('c1')).length).toBe(1);
  });
});

describe('the minimal-pair drill', () => {
  it('builds targets judged on this computer, a round per pair', () => {
    expect(soundDrillTarget('th-voiceless', 0)).toEqual({
      id: 'sound:th-voiceless:0',
      text: 'think — sink',
      kind: 'sound-drill',
    });
    expect(soundDrillTarget('v', 1)).toMatchObject({ id: 'sound:v:1', text: 'vest — west' });
  });

  async function drilled(verdict: WordJudgement['verdict']) {
    await resetDbConnection();
    await deleteDatabase(DB_NAME);
    const store = createSounds();
    await store.onAttempt(judged(repeat('I think so'), T0, 60, [word('think', 'unclear')], [TH]), 'c1');
    const target = soundDrillTarget('th-voiceless', 0);
    await store.onAttempt(
      judged(target, T0 + MINUTE, verdict === 'good' ? 92 : 45, [word('think', verdict), word('sink', 'good')], [TH]),
      'c1',
    );
    return (await listSounds())[0]!;
  }

  it('moves the sound’s review on: later when the word with the sound is said well, sooner when it is not', async () => {
    const passed = await drilled('good');
    expect(passed.lastDrill).toEqual({ at: T0 + MINUTE, score: 92, passed: true });
    expect(passed.card.reps).toBe(1);
    expect(passed.due).toBeGreaterThan(T0 + MINUTE);
    // A drill is not a new slip: the sound is not counted again.
    expect(passed.wrongCount).toBe(1);

    const failed = await drilled('unclear');
    expect(failed.lastDrill).toEqual({ at: T0 + MINUTE, score: 45, passed: false });
    expect(failed.card.reps).toBe(1);
    expect(failed.due).toBeLessThan(passed.due);
    expect((await listJudgedAttempts('c1')).map((a) => a.kind)).toEqual(['repeat', 'sound-drill']);
  });

  it('makes a sound reviewed before due again when it goes wrong again', async () => {
    const store = createSounds();
    const passed = await drilled('good');
    await store.onAttempt(judged(repeat('Three days'), T0 + 2 * MINUTE, 70, [word('Three', 'unclear')], [TH]), 'c2');
    const again = (await getSound('th-voiceless'))!;
    expect(again.wrongCount).toBe(2);
    expect(again.due).toBeLessThan(passed.due);
  });
});

describe('the session card’s pronunciation score', () => {
  it('is the mean of the conversation’s own judged attempts; a conversation with none has no card from them', async () => {
    const sounds = createSounds();
    const notebook = createNotebook();
    await sounds.onAttempt(judged(repeat('I think so'), T0, 70, [word('think', 'unclear')], [TH]), 'c1');
    await sounds.onAttempt(judged(soundDrillTarget('th-voiceless', 0), T0 + MINUTE, 85, []), 'c1');
    await sounds.onAttempt(judged(repeat('Good night'), T0 + 2 * MINUTE, 20, []), 'c2');
    await sounds.onAttempt(judged(repeat('Elsewhere'), T0 + 3 * MINUTE, 10, []), null);

    expect(await notebook.summarize('c1')).toBe(true);
    expect(notebook.session.value?.pronunciation).toEqual({ score: 78, attempts: 2 });
    expect(await notebook.summarize('c3')).toBe(false);
  });
});

describe('deleting a conversation (History)', () => {
  it('takes its judged attempts and the sounds they found out of the Sounds tab and the progress', async () => {
    const store = createSounds();
    const gone = await createConversation();
    const kept = await createConversation();
    // Twice wrong in the conversation deleted, more than its examples could tell apart from one slip.
    await store.onAttempt(
      judged(repeat('I think it is cold'), T0, 62, [word('think', 'unclear'), word('cold', 'unclear')], [TH, FINAL]),
      gone.id,
    );
    await store.onAttempt(judged(repeat('I think so'), T0 + MINUTE, 55, [word('think', 'unclear')], [TH]), gone.id);
    await store.onAttempt(
      judged(repeat('Thank you'), T0 + DAY, 80, [word('Thank', 'unclear')], [{ ...TH, word: 'Thank' }]),
      kept.id,
    );
    await store.onAttempt(judged(repeat('Elsewhere'), T0 + 2 * DAY, 90, []), null);
    expect((await getSound('th-voiceless'))?.wrongCount).toBe(3);

    await deleteConversation(gone.id);
    await store.refresh();

    // The sound found only there is gone from the tab; the one found in both keeps only what the other found.
    expect(store.sounds.value.map((s) => s.id)).toEqual(['th-voiceless']);
    const th = store.sounds.value[0]!;
    expect(th.wrongCount).toBe(1);
    expect(th.conversationIds).toEqual([kept.id]);
    expect(th.examples.map((e) => e.word)).toEqual(['Thank']);
    expect(await soundsWorkedOnSince(0)).toEqual(['/θ/ (Thank)']);
    expect(await listJudgedAttempts(gone.id)).toEqual([]);
    expect((await listJudgedAttemptsSince(0)).map((a) => a.score)).toEqual([80, 90]);
  });

  it('leaves a sound drilled in the deleted conversation but found elsewhere, with its review', async () => {
    const store = createSounds();
    const gone = await createConversation();
    await store.onAttempt(judged(repeat('I think so'), T0, 60, [word('think', 'unclear')], [TH]), 'c-kept');
    await store.onAttempt(
      judged(soundDrillTarget('th-voiceless', 0), T0 + MINUTE, 92, [word('think', 'good')]),
      gone.id,
    );
    const before = (await getSound('th-voiceless'))!;

    await deleteConversation(gone.id);

    expect(await getSound('th-voiceless')).toEqual(before);
    expect(await listJudgedAttempts(gone.id)).toEqual([]);
    expect((await listJudgedAttempts('c-kept')).length).toBe(1);
  });
});
