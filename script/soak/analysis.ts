/**
 * The soak's judgements, apart from the browser that feeds them: whether IndexedDB holds exactly
 * what the turns made should have left, whether the microphone was ever left on between turns,
 * whether a heap grew between checkpoints, and the verdict on each criterion.
 */

export interface SoakMessage {
  id: string;
  role: 'user' | 'assistant';
  status: string;
  createdAt: number;
  recordingId?: string;
}

export interface SoakRecording {
  id: string;
  size: number;
}

/** Statuses a message only has while its turn is still under way. */
export const UNFINISHED_STATUSES: readonly string[] = ['recorded', 'transcribing', 'streaming'];

export interface DatabaseCheck {
  ok: boolean;
  learnerMessages: number;
  replies: number;
  recordings: number;
  /** Each thing missing, extra or left unfinished, in words. */
  problems: string[];
}

/**
 * IndexedDB against the turns made: one learner message and one recording per turn, one reply per
 * transcribed learner turn (plus the teacher's opening messages), nothing unfinished, nothing extra.
 */
export function checkDatabase(
  db: { messages: readonly SoakMessage[]; recordings: readonly SoakRecording[] },
  turnsMade: number,
  openingMessages = 1,
): DatabaseCheck {
  const problems: string[] = [];
  const messages = [...db.messages].sort((a, b) => a.createdAt - b.createdAt);
  const learner = messages.filter((m) => m.role === 'user');
  const replies = messages.filter((m) => m.role === 'assistant');
  const recordings = new Map(db.recordings.map((r) => [r.id, r]));

  if (learner.length !== turnsMade) {
    problems.push(
      `${learner.length} learner messages for ${turnsMade} turns (${learner.length < turnsMade ? 'missing' : 'extra'}: ${Math.abs(learner.length - turnsMade)})`,
    );
  }
  const transcribed = learner.filter((m) => m.status === 'done').length;
  const expectedReplies = openingMessages + transcribed;
  if (replies.length !== expectedReplies) {
    problems.push(
      `${replies.length} replies for ${openingMessages} opening + ${transcribed} transcribed learner turns (${replies.length < expectedReplies ? 'missing' : 'extra'}: ${Math.abs(replies.length - expectedReplies)})`,
    );
  }

  const referenced = new Map<string, number>();
  for (const m of learner) {
    if (!m.recordingId) {
      problems.push(`learner message ${m.id} has no recording`);
      continue;
    }
    referenced.set(m.recordingId, (referenced.get(m.recordingId) ?? 0) + 1);
    const recording = recordings.get(m.recordingId);
    if (!recording) problems.push(`learner message ${m.id}: its recording ${m.recordingId} is not stored`);
    else if (recording.size === 0) problems.push(`learner message ${m.id}: its recording ${m.recordingId} is empty`);
  }
  for (const [id, count] of referenced) {
    if (count > 1) problems.push(`recording ${id} belongs to ${count} learner messages`);
  }
  for (const id of recordings.keys()) {
    if (!referenced.has(id)) problems.push(`recording ${id} belongs to no learner message (extra)`);
  }
  for (const m of messages) {
    if (UNFINISHED_STATUSES.includes(m.status)) problems.push(`${m.role} message ${m.id} was left '${m.status}'`);
  }
  // In time order a transcribed learner turn is answered before the next one, and a reply answers something.
  messages.forEach((m, i) => {
    const next = messages[i + 1];
    if (m.role === 'user' && m.status === 'done' && next?.role !== 'assistant') {
      problems.push(`learner message ${m.id} has no reply after it`);
    }
    if (m.role === 'assistant' && next?.role === 'assistant' && i + 1 >= openingMessages) {
      problems.push(`reply ${next.id} follows reply ${m.id} with no learner turn between them (extra)`);
    }
  });

  return {
    ok: problems.length === 0,
    learnerMessages: learner.length,
    replies: replies.length,
    recordings: recordings.size,
    problems,
  };
}

/** The turns after which heaps are measured: every quarter of the run (50, 100, 150, 200 of 200). */
export function checkpointTurns(turns: number): number[] {
  const quarters = [1, 2, 3, 4].map((k) => Math.round((turns * k) / 4)).filter((t) => t > 0);
  return [...new Set(quarters)];
}

/** One document's (or worker's) heap at a checkpoint. */
export interface HeapReading {
  usedBytes: number;
  /** The DevTools target measured: a new id means the document or worker was created anew. */
  targetId: string;
}

export interface Checkpoint {
  turn: number;
  heaps: Record<string, HeapReading>;
  /** The companion's resident memory (its server process), when it could be read. */
  companionRssBytes?: number;
}

export interface HeapTrend {
  target: string;
  baselineTurn: number;
  lastTurn: number;
  baselineBytes: number;
  lastBytes: number;
  /** (last − baseline) / baseline. */
  change: number;
  /** The target was created anew between the two checkpoints: its heaps are not comparable. */
  recreated: boolean;
}

/** Each target's heap at the last checkpoint against the first, for every target measured at both. */
export function heapTrends(checkpoints: readonly Checkpoint[]): HeapTrend[] {
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  if (!first || !last) return [];
  return Object.entries(first.heaps).flatMap(([target, baseline]) => {
    const end = last.heaps[target];
    if (!end) return [];
    return [
      {
        target,
        baselineTurn: first.turn,
        lastTurn: last.turn,
        baselineBytes: baseline.usedBytes,
        lastBytes: end.usedBytes,
        change: (end.usedBytes - baseline.usedBytes) / baseline.usedBytes,
        recreated: end.targetId !== baseline.targetId,
      },
    ];
  });
}

/** The microphone as seen from the recording document at one turn. */
export interface MicrophoneSample {
  turn: number;
  /** Live tracks while the learner was recording: 1 shows the probe sees the microphone at all. */
  liveWhileRecording: number;
  /** Live tracks once the turn was over; negative when they could not be counted. */
  liveBetweenTurns: number;
}

export interface Verdict {
  criterion: string;
  /** null: the run was too short to judge it. */
  pass: boolean | null;
  detail: string;
}

export interface SoakResult {
  turnsMade: number;
  turnsAnswered: number;
  database: DatabaseCheck;
  microphone: readonly MicrophoneSample[];
  checkpoints: readonly Checkpoint[];
  /** Allowed change of a heap between the first and the last checkpoint. */
  heapTolerance?: number;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const percent = (fraction: number): string => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)} %`;

export function verdicts(result: SoakResult): Verdict[] {
  const tolerance = result.heapTolerance ?? 0.1;
  const out: Verdict[] = [
    {
      criterion: 'turns answered',
      pass: result.turnsMade > 0 && result.turnsAnswered === result.turnsMade,
      detail: `${result.turnsAnswered}/${result.turnsMade}`,
    },
    {
      criterion: 'IndexedDB consistent',
      pass: result.database.ok,
      detail: result.database.ok
        ? `${result.database.learnerMessages} learner messages, ${result.database.recordings} recordings, ${result.database.replies} replies`
        : `${result.database.problems.length} problems: ${result.database.problems.slice(0, 3).join('; ')}${result.database.problems.length > 3 ? '; …' : ''}`,
    },
  ];

  const leftOn = result.microphone.filter((s) => s.liveBetweenTurns > 0);
  const unseen = result.microphone.filter((s) => s.liveWhileRecording < 1);
  const counted = result.microphone.filter((s) => s.liveBetweenTurns >= 0);
  out.push({
    criterion: 'no live microphone between turns',
    // A probe that never saw the microphone while recording would pass this for nothing.
    pass: counted.length === result.turnsMade && result.turnsMade > 0 && !leftOn.length && !unseen.length,
    detail: leftOn.length
      ? `live after turn${leftOn.length > 1 ? 's' : ''} ${leftOn
          .slice(0, 5)
          .map((s) => `${s.turn} (${s.liveBetweenTurns})`)
          .join(', ')}${leftOn.length > 5 ? ', …' : ''}`
      : unseen.length
        ? `the probe saw no live track while recording on ${unseen.length} turns (first: ${unseen[0]!.turn}), so it cannot tell`
        : counted.length !== result.turnsMade
          ? `counted after ${counted.length} of ${result.turnsMade} turns`
          : `0 live tracks after each of ${result.microphone.length} turns (1 while recording, every turn)`,
  });

  const trends = heapTrends(result.checkpoints);
  if (result.checkpoints.length < 2) {
    out.push({
      criterion: `heap after GC, last checkpoint within ${Math.round(tolerance * 100)} % of the first`,
      pass: null,
      detail: 'one checkpoint only: run more turns to compare',
    });
  }
  for (const trend of result.checkpoints.length < 2 ? [] : trends) {
    out.push({
      criterion: `${trend.target} heap after GC, turn ${trend.lastTurn} within ${Math.round(tolerance * 100)} % of turn ${trend.baselineTurn}`,
      pass: !trend.recreated && Math.abs(trend.change) <= tolerance,
      detail: trend.recreated
        ? 'created anew between the checkpoints: not comparable'
        : `${mb(trend.baselineBytes)} → ${mb(trend.lastBytes)} (${percent(trend.change)})`,
    });
  }
  return out;
}

/** Any criterion failed: the soak exits non-zero. A criterion too short to judge does not fail it. */
export const anyFailed = (list: readonly Verdict[]): boolean => list.some((v) => v.pass === false);

export const formatBytes = mb;
export const formatChange = percent;
