import { signal } from '@preact/signals';
import { Rating } from 'ts-fsrs';
import type { HardSoundId, PronunciationResult, SoundToWorkOn } from '@/core/pronunciation';
import { HARD_SOUNDS } from '@/core/pronunciation';
import { newId, type SoundEntry } from '@/core/db/schema';
import { keepJudgedAttempt, listSounds, type SoundChange } from '@/core/db/sounds';
import { gradeOf, newReview, nextReview } from '../corrections/notebook';
import type { PracticeResult } from '../talk/practice-attempts';
import type { PracticeTarget } from '../talk/turn-machine';
import { drillRound, type DrillRound } from './minimal-pairs';

/**
 * What the notebook keeps of pronunciation: every judged attempt's score (the session card, progress over time),
 * each sound a judged attempt found to work on (the Sounds tab), and that sound's review, scheduled like the
 * notebook's corrections (features/corrections/notebook.ts) and moved on by its minimal-pair drill.
 */

export type SoundsStore = ReturnType<typeof createSounds>;

/** How many recent examples a sound keeps: enough to recognise the pattern, few enough to read. */
export const MAX_EXAMPLES = 5;

const DRILL = 'sound:';
const KNOWN = new Set<string>(HARD_SOUNDS.map((s) => s.id));

/** A Sounds-tab drill: the round-th minimal pair of the sound, judged on this computer only. */
export function soundDrillTarget(soundId: HardSoundId, round: number): PracticeTarget {
  return { id: `${DRILL}${soundId}:${round}`, text: drillRound(soundId, round).text, kind: 'sound-drill' };
}

/** The sound and round of a drill target's id, or null for any other target. */
export function drillOfTarget(targetId: string): { sound: HardSoundId; round: number } | null {
  const match = /^sound:([a-z-]+):(\d+)$/.exec(targetId);
  if (!match || !KNOWN.has(match[1]!)) return null;
  return { sound: match[1] as HardSoundId, round: Number(match[2]) };
}

/** The sound's record after one more attempt it went wrong in. */
export function withSlip(
  old: SoundEntry | undefined,
  found: SoundToWorkOn,
  attempt: { text: string; at: number; conversationId: string | null },
): SoundEntry {
  const example = {
    word: found.word,
    text: attempt.text,
    ...(found.heardInstead !== undefined && { heardInstead: found.heardInstead }),
    at: attempt.at,
    conversationId: attempt.conversationId,
  };
  if (!old) {
    return {
      id: found.sound,
      ipa: found.ipa,
      examples: [example],
      wrongCount: 1,
      conversationIds: attempt.conversationId ? [attempt.conversationId] : [],
      createdAt: attempt.at,
      updatedAt: attempt.at,
      ...newReview(attempt.at),
    };
  }
  const conversationIds =
    attempt.conversationId && !old.conversationIds.includes(attempt.conversationId)
      ? [...old.conversationIds, attempt.conversationId]
      : old.conversationIds;
  return {
    ...old,
    examples: [example, ...old.examples].slice(0, MAX_EXAMPLES),
    wrongCount: old.wrongCount + 1,
    conversationIds,
    updatedAt: attempt.at,
    // Going wrong again after a review is a lapse; a sound never reviewed is due already.
    ...(old.card.reps > 0 ? nextReview(old.card, Rating.Again, attempt.at) : {}),
  };
}

/** How a drill went: the words carrying the sound said well, out of all of them. */
export function drillOutcome(round: DrillRound, judgement: PronunciationResult) {
  const verdicts = new Map(judgement.words.map((word) => [word.text.toLowerCase(), word.verdict]));
  const total = round.targets.length;
  const right = round.targets.filter((word) => verdicts.get(word.toLowerCase()) === 'good').length;
  return { right, total, allRight: total > 0 && right === total };
}

export function createSounds({ onChanged }: { onChanged?(): void } = {}) {
  /** Every sound to work on, the one due soonest first. */
  const sounds = signal<SoundEntry[]>([]);

  async function refresh(): Promise<void> {
    sounds.value = await listSounds();
  }

  async function keep(result: PracticeResult, judgement: PronunciationResult, conversationId: string | null) {
    const attempt = { id: newId(), at: result.at, conversationId, kind: result.target.kind, score: judgement.score };
    const drill = drillOfTarget(result.target.id);
    if (result.target.kind === 'sound-drill' && drill) {
      const outcome = drillOutcome(drillRound(drill.sound, drill.round), judgement);
      const reviewed: SoundChange = (old) =>
        old && {
          ...old,
          ...nextReview(old.card, gradeOf(outcome), result.at),
          lastDrill: { at: result.at, score: judgement.score, passed: outcome.allRight },
        };
      await keepJudgedAttempt(attempt, new Map([[drill.sound, reviewed]]));
      return;
    }
    // A sound is counted once per attempt, however many of its words it went wrong in.
    const slips = new Map<HardSoundId, SoundChange>();
    const slip = { text: result.target.text, at: result.at, conversationId };
    for (const found of judgement.soundsToWorkOn) {
      if (!slips.has(found.sound)) slips.set(found.sound, (old) => withSlip(old, found, slip));
    }
    await keepJudgedAttempt({ ...attempt, sounds: [...slips.keys()] }, slips);
  }

  return {
    sounds,
    refresh,
    /** Every practice result: a judged one is kept (its score, its sounds, or its drill's review). */
    async onAttempt(result: PracticeResult, conversationId: string | null): Promise<void> {
      const judgement = result.pronunciation;
      if (judgement?.kind !== 'judged') return;
      try {
        await keep(result, judgement, conversationId);
        await refresh();
      } catch (error) {
        // The result is shown either way; only what the notebook keeps of it is missing.
        console.warn('AITalk: could not keep the pronunciation result', error);
      }
      onChanged?.();
    },
  };
}

/**
 * The sounds the learner went wrong in since `since` (the last "Forget everything"), most often first, as the
 * teacher's summary and What your teacher remembers name them: "/θ/ (think)", "final consonants (cold)".
 */
export async function soundsWorkedOnSince(since: number): Promise<string[]> {
  const recent = (await listSounds())
    .map((sound) => ({ sound, examples: sound.examples.filter((example) => example.at >= since) }))
    .filter(({ examples }) => examples.length > 0)
    .sort((a, b) => b.examples.length - a.examples.length);
  return recent.map(({ sound, examples }) => {
    const name =
      sound.id === 'final-consonant'
        ? 'final consonants'
        : sound.id === 'consonant-cluster'
          ? 'consonant clusters'
          : `/${sound.ipa}/`;
    return `${name} (${examples[0]!.word})`;
  });
}
