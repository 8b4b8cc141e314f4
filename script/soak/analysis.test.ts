import { describe, expect, it } from 'vitest';
import {
  anyFailed,
  checkDatabase,
  checkpointTurns,
  heapTrends,
  verdicts,
  type Checkpoint,
  type MicrophoneSample,
  type SoakMessage,
  type SoakRecording,
  type SoakResult,
} from './analysis.ts';

/** What `turns` answered turns leave: the opening, then each learner message with its recording and its reply. */
function conversation(turns: number): { messages: SoakMessage[]; recordings: SoakRecording[] } {
  const messages: SoakMessage[] = [{ id: 'opening', role: 'assistant', status: 'done', createdAt: 0 }];
  const recordings: SoakRecording[] = [];
  for (let t = 1; t <= turns; t++) {
    recordings.push({ id: `r${t}`, size: 20_000 });
    messages.push({ id: `u${t}`, role: 'user', status: 'done', createdAt: t * 10, recordingId: `r${t}` });
    messages.push({ id: `a${t}`, role: 'assistant', status: 'done', createdAt: t * 10 + 5 });
  }
  return { messages, recordings };
}

describe('checkDatabase', () => {
  it('finds a whole conversation consistent with the turns made', () => {
    const check = checkDatabase(conversation(3), 3);
    expect(check).toMatchObject({ ok: true, learnerMessages: 3, replies: 4, recordings: 3, problems: [] });
  });

  it('reports a learner turn with no message, and one that made two', () => {
    expect(checkDatabase(conversation(3), 4).problems).toEqual(['3 learner messages for 4 turns (missing: 1)']);
    expect(checkDatabase(conversation(3), 2).problems).toEqual(['3 learner messages for 2 turns (extra: 1)']);
  });

  it('reports a missing, empty, shared or orphaned recording', () => {
    const missing = conversation(2);
    missing.recordings.splice(0, 1);
    expect(checkDatabase(missing, 2).problems).toEqual(['learner message u1: its recording r1 is not stored']);

    const empty = conversation(2);
    empty.recordings[1]!.size = 0;
    expect(checkDatabase(empty, 2).problems).toEqual(['learner message u2: its recording r2 is empty']);

    const shared = conversation(2);
    shared.messages[3]!.recordingId = 'r1';
    expect(checkDatabase(shared, 2).problems).toEqual([
      'recording r1 belongs to 2 learner messages',
      'recording r2 belongs to no learner message (extra)',
    ]);

    const orphan = conversation(1);
    orphan.recordings.push({ id: 'stray', size: 9_000 });
    expect(checkDatabase(orphan, 1).problems).toEqual(['recording stray belongs to no learner message (extra)']);

    const none = conversation(1);
    delete none.messages[1]!.recordingId;
    none.recordings.length = 0;
    expect(checkDatabase(none, 1).problems).toEqual(['learner message u1 has no recording']);
  });

  it('reports a message left streaming or transcribing', () => {
    const db = conversation(2);
    db.messages[4]!.status = 'streaming';
    db.messages[3]!.status = 'transcribing';
    const check = checkDatabase(db, 2);
    expect(check.ok).toBe(false);
    expect(check.problems).toContain("assistant message a2 was left 'streaming'");
    expect(check.problems).toContain("user message u2 was left 'transcribing'");
  });

  it('reports a transcribed turn with no reply, and a reply too many', () => {
    const unanswered = conversation(2);
    unanswered.messages.splice(2, 1);
    expect(checkDatabase(unanswered, 2).problems).toEqual([
      '2 replies for 1 opening + 2 transcribed learner turns (missing: 1)',
      'learner message u1 has no reply after it',
    ]);

    const twice = conversation(1);
    twice.messages.push({ id: 'a1bis', role: 'assistant', status: 'done', createdAt: 20 });
    expect(checkDatabase(twice, 1).problems).toEqual([
      '3 replies for 1 opening + 1 transcribed learner turns (extra: 1)',
      'reply a1bis follows reply a1 with no learner turn between them (extra)',
    ]);
  });

  it('expects no reply to a learner turn that failed, but still its recording', () => {
    const db = conversation(2);
    db.messages[3]!.status = 'failed';
    db.messages.splice(4, 1);
    expect(checkDatabase(db, 2)).toMatchObject({ ok: true, replies: 2, recordings: 2 });
  });
});

describe('checkpointTurns', () => {
  it('measures at every quarter of the run', () => {
    expect(checkpointTurns(200)).toEqual([50, 100, 150, 200]);
    expect(checkpointTurns(10)).toEqual([3, 5, 8, 10]);
    expect(checkpointTurns(2)).toEqual([1, 2]);
    expect(checkpointTurns(1)).toEqual([1]);
  });
});

const MB = 1024 * 1024;
const checkpoint = (turn: number, panel: number, worker: number, workerId = 'sw'): Checkpoint => ({
  turn,
  heaps: {
    'side panel': { usedBytes: panel * MB, targetId: 'panel' },
    'service worker': { usedBytes: worker * MB, targetId: workerId },
  },
});

describe('heapTrends', () => {
  it('compares each target at the last checkpoint with the first', () => {
    const trends = heapTrends([checkpoint(50, 10, 1), checkpoint(100, 12, 1), checkpoint(200, 11.5, 0.95)]);
    expect(trends).toHaveLength(2);
    expect(trends[0]).toMatchObject({ target: 'side panel', baselineTurn: 50, lastTurn: 200, recreated: false });
    expect(trends[0]!.change).toBeCloseTo(0.15);
    expect(trends[1]!.change).toBeCloseTo(-0.05);
  });

  it('notices a target created anew between the checkpoints', () => {
    const trends = heapTrends([checkpoint(50, 10, 1, 'sw-1'), checkpoint(200, 10, 1, 'sw-2')]);
    expect(trends.find((t) => t.target === 'service worker')?.recreated).toBe(true);
  });
});

const microphone = (turns: number, overrides: Partial<MicrophoneSample> = {}): MicrophoneSample[] =>
  Array.from({ length: turns }, (_, i) => ({ turn: i + 1, liveWhileRecording: 1, liveBetweenTurns: 0, ...overrides }));

function result(overrides: Partial<SoakResult> = {}): SoakResult {
  return {
    turnsMade: 4,
    turnsAnswered: 4,
    database: checkDatabase(conversation(4), 4),
    microphone: microphone(4),
    checkpoints: [checkpoint(1, 10, 1), checkpoint(2, 10.2, 1), checkpoint(3, 10.4, 1), checkpoint(4, 10.5, 1.02)],
    ...overrides,
  };
}

describe('verdicts', () => {
  it('passes a run that answered every turn, kept everything, released the microphone and did not grow', () => {
    const list = verdicts(result());
    expect(list.map((v) => [v.criterion, v.pass])).toEqual([
      ['turns answered', true],
      ['IndexedDB consistent', true],
      ['no live microphone between turns', true],
      ['side panel heap after GC, turn 4 within 10 % of turn 1', true],
      ['service worker heap after GC, turn 4 within 10 % of turn 1', true],
    ]);
    expect(list[0]!.detail).toBe('4/4');
    expect(list[3]!.detail).toBe('10.00 MB → 10.50 MB (+5.0 %)');
    expect(anyFailed(list)).toBe(false);
  });

  it('fails a run with a turn unanswered', () => {
    const list = verdicts(result({ turnsAnswered: 3 }));
    expect(list[0]).toMatchObject({ pass: false, detail: '3/4' });
    expect(anyFailed(list)).toBe(true);
  });

  it('fails a run whose database is inconsistent, naming the problems', () => {
    const db = conversation(4);
    db.recordings.pop();
    const list = verdicts(result({ database: checkDatabase(db, 4) }));
    expect(list[1]).toMatchObject({
      pass: false,
      detail: '1 problems: learner message u4: its recording r4 is not stored',
    });
  });

  it('fails a run that left the microphone live after a turn, naming the turn', () => {
    const samples = microphone(4);
    samples[2]!.liveBetweenTurns = 1;
    const list = verdicts(result({ microphone: samples }));
    expect(list[2]).toMatchObject({ pass: false, detail: 'live after turn 3 (1)' });
  });

  it('does not pass the microphone when the probe never saw it, or missed a turn', () => {
    expect(verdicts(result({ microphone: microphone(4, { liveWhileRecording: 0 }) }))[2]?.pass).toBe(false);
    expect(verdicts(result({ microphone: microphone(3) }))[2]?.pass).toBe(false);
    const uncounted = microphone(4);
    uncounted[1]!.liveBetweenTurns = -1;
    expect(verdicts(result({ microphone: uncounted }))[2]).toMatchObject({
      pass: false,
      detail: 'counted after 3 of 4 turns',
    });
  });

  it('fails a heap that grew more than 10 %, and one measured on a target created anew', () => {
    const grown = verdicts(result({ checkpoints: [checkpoint(50, 10, 1), checkpoint(200, 11.2, 1)] }));
    expect(grown[3]).toMatchObject({ pass: false, detail: '10.00 MB → 11.20 MB (+12.0 %)' });
    expect(grown[4]?.pass).toBe(true);

    const restarted = verdicts(result({ checkpoints: [checkpoint(50, 10, 1, 'a'), checkpoint(200, 10, 1, 'b')] }));
    expect(restarted[4]).toMatchObject({ pass: false, detail: 'created anew between the checkpoints: not comparable' });
  });

  it('leaves the heap unjudged, not passed, when there is one checkpoint', () => {
    const list = verdicts(result({ turnsMade: 1, turnsAnswered: 1, checkpoints: [checkpoint(1, 10, 1)] }));
    expect(list.at(-1)).toMatchObject({ pass: null, detail: 'one checkpoint only: run more turns to compare' });
  });
});
