import { describe, expect, it } from 'vitest';
import type { SavedRecording } from '@/core/messages';
import {
  INITIAL_TURN_STATE,
  phaseOf,
  transition,
  turnInProgress,
  type Effect,
  type Reply,
  type TurnEvent,
  type TurnState,
} from './turn-machine';

/** Every transition of the turn, one situation at a time: state × event → state + effects. */

const idle = INITIAL_TURN_STATE;
const press: TurnEvent = { type: 'press', hasKey: true, handsFreeSetting: false };
const pressHandsFree: TurnEvent = { type: 'press', hasKey: true, handsFreeSetting: true };

function reply(id = 'r1', extra: Partial<Reply> = {}): Reply {
  return { id, audible: false, streamDone: false, speechDone: false, voice: 'companion', ...extra };
}

function saved(extra: Partial<SavedRecording> = {}): SavedRecording {
  return {
    status: 'saved',
    recordingId: 'rec1',
    conversationId: 'c1',
    mimeType: 'audio/webm',
    bytes: 4000,
    durationMs: 2000,
    peakLevel: 0.3,
    speechDetected: true,
    stopRequestedAt: 100,
    stoppedAt: 110,
    writing: false,
    savedAt: 115,
    ...extra,
  };
}

function run(state: TurnState, ...events: TurnEvent[]): { state: TurnState; effects: Effect[] } {
  let current = state;
  let effects: Effect[] = [];
  for (const event of events) {
    const next = transition(current, event);
    current = next.state;
    effects = next.effects;
  }
  return { state: current, effects };
}

const types = (effects: Effect[]) => effects.map((e) => e.type);
const notices = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'notify' ? [`${e.notice.kind}:${e.notice.text.id}`] : []));

describe('pressing Talk', () => {
  it('when idle, opens the microphone (push-to-talk) and shows "preparing", then "recording"', () => {
    const pressed = transition(idle, press);
    expect(pressed.state).toMatchObject({ mic: 'starting', handsFree: false });
    expect(phaseOf(pressed.state)).toBe('preparing');
    expect(pressed.effects).toContainEqual({ type: 'start-mic', handsFree: false });
    const started = transition(pressed.state, { type: 'mic-started' });
    expect(phaseOf(started.state)).toBe('recording');
  });

  it('when idle with hands-free on, listens rather than records', () => {
    const { state } = run(idle, pressHandsFree, { type: 'mic-started' });
    expect(state).toMatchObject({ mic: 'listening', handsFree: true });
    expect(phaseOf(state)).toBe('listening');
  });

  it('without an API key, opens nothing and says where to add one', () => {
    const { state, effects } = transition(idle, { type: 'press', hasKey: false, handsFreeSetting: false });
    expect(state).toEqual(idle);
    expect(types(effects)).not.toContain('start-mic');
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'notify', notice: expect.objectContaining({ action: 'settings' }) }),
    );
  });

  it('while recording, stops and sends', () => {
    const { state, effects } = run(idle, press, { type: 'mic-started' }, press);
    expect(phaseOf(state)).toBe('stopping');
    expect(effects).toEqual([{ type: 'stop-mic' }]);
  });

  it('while the teacher speaks, silences it at once (barge-in) and opens the microphone', () => {
    const speaking: TurnState = { ...idle, reply: reply('r1', { audible: true }) };
    expect(phaseOf(speaking)).toBe('speaking');
    const { state, effects } = transition(speaking, press);
    expect(types(effects).slice(0, 1)).toEqual(['interrupt-reply']);
    expect(effects[0]).toEqual({ type: 'interrupt-reply', replyId: 'r1' });
    expect(effects).toContainEqual({ type: 'start-mic', handsFree: false });
    expect(state.reply).toBeNull();
    expect(phaseOf(state)).toBe('preparing');
  });

  it('while the teacher is still thinking, interrupts the reply the same way', () => {
    const { effects } = transition({ ...idle, reply: reply() }, press);
    expect(types(effects)).toEqual(['interrupt-reply', 'clear-info', 'start-mic']);
  });

  it('hands-free while the teacher speaks: silences it and keeps the open microphone listening', () => {
    const state: TurnState = { ...idle, mic: 'listening', handsFree: true, reply: reply('r1', { audible: true }) };
    const next = transition(state, press);
    expect(next.effects).toEqual([{ type: 'interrupt-reply', replyId: 'r1' }]);
    expect(next.state).toMatchObject({ mic: 'listening', handsFree: true, reply: null });
  });

  it('hands-free with nobody speaking yet: pauses hands-free and releases the microphone', () => {
    const state: TurnState = { ...idle, mic: 'listening', handsFree: true };
    const next = transition(state, press);
    expect(next.state).toMatchObject({ mic: 'off', handsFree: false });
    expect(types(next.effects)).toEqual(['cancel-mic', 'notify']);
    expect(notices(next.effects)).toEqual(['info:hands-free-paused']);
  });

  it.each([
    ['the microphone is opening', { mic: 'starting' }],
    ['the recording is being saved', { mic: 'stopping' }],
    ['the turn is being transcribed', { transcribing: true }],
  ] as const)('while %s, asks for a moment and changes nothing', (_what, partial) => {
    const state: TurnState = { ...idle, ...partial };
    const next = transition(state, press);
    expect(next.state).toEqual(state);
    expect(notices(next.effects)).toEqual(['info:still-working']);
  });
});

describe('the microphone answering', () => {
  const starting: TurnState = { ...idle, mic: 'starting', handsFree: true };

  it.each([
    ['permission-needed', 'info:permission-needed', ['notify', 'open-permission-page']],
    ['permission-denied', 'error:permission-denied', ['notify']],
    ['no-microphone', 'error:no-microphone', ['notify']],
    ['busy', 'error:busy-elsewhere', ['notify']],
    ['error', 'error:mic-error', ['notify']],
  ] as const)('refused (%s): back to idle, hands-free off, and says so', (reason, notice, effectTypes) => {
    const next = transition(starting, { type: 'mic-refused', reason, message: 'x' });
    expect(next.state).toMatchObject({ mic: 'off', handsFree: false });
    expect(phaseOf(next.state)).toBe('idle');
    expect(notices(next.effects)).toEqual([notice]);
    expect(types(next.effects)).toEqual(effectTypes);
  });

  it('started after everything was stopped meanwhile: closes it again', () => {
    expect(transition(idle, { type: 'mic-started' }).effects).toEqual([{ type: 'cancel-mic' }]);
  });

  it('hands-free: the learner starting to speak turns listening into recording', () => {
    const next = transition({ ...idle, mic: 'listening', handsFree: true }, { type: 'speech-start' });
    expect(phaseOf(next.state)).toBe('recording');
    expect(next.effects).toEqual([]);
  });

  it('hands-free: speaking over the teacher interrupts it', () => {
    const state: TurnState = { ...idle, mic: 'listening', handsFree: true, reply: reply('r1', { audible: true }) };
    const next = transition(state, { type: 'speech-start' });
    expect(next.effects).toEqual([{ type: 'interrupt-reply', replyId: 'r1' }]);
    expect(next.state).toMatchObject({ mic: 'recording', reply: null });
  });

  it('hands-free: a long silence ends listening', () => {
    const next = transition({ ...idle, mic: 'listening', handsFree: true }, { type: 'idle-timeout' });
    expect(next.state).toMatchObject({ mic: 'off', handsFree: false });
    expect(notices(next.effects)).toEqual(['info:hands-free-idle']);
  });

  it('failing mid-turn: back to idle with the reason', () => {
    const next = transition({ ...idle, mic: 'recording' }, { type: 'mic-failed', message: 'device lost' });
    expect(next.state.mic).toBe('off');
    expect(notices(next.effects)).toEqual(['error:mic-stopped']);
  });
});

describe('a recording that ended', () => {
  const stopping: TurnState = { ...idle, mic: 'stopping' };

  it('is saved and transcribed', () => {
    const next = transition(stopping, { type: 'recording-ended', result: saved(), stopPressedAt: 90 });
    expect(next.state).toMatchObject({ mic: 'off', transcribing: true, lastRecordingId: 'rec1' });
    expect(phaseOf(next.state)).toBe('transcribing');
    expect(next.effects).toContainEqual({ type: 'transcribe', recording: saved(), stopPressedAt: 90 });
    expect(turnInProgress(next.state)).toBe(true);
  });

  it('is handled once when the detector and a press end it together', () => {
    const first = transition(stopping, { type: 'recording-ended', result: saved(), stopPressedAt: 90 });
    const second = transition(first.state, { type: 'recording-ended', result: saved(), stopPressedAt: 95 });
    expect(second.effects).toEqual([]);
    expect(second.state).toEqual(first.state);
  });

  it.each([
    ['silent', saved({ peakLevel: 0.001, speechDetected: false })],
    ['too short (a double press)', saved({ durationMs: 120 })],
  ])('when %s: its audio is deleted, nothing is sent, and the learner is told', (_what, result) => {
    const next = transition({ ...stopping, handsFree: true }, { type: 'recording-ended', result, stopPressedAt: 1 });
    expect(next.effects).toContainEqual({ type: 'discard-recording', recordingId: 'rec1' });
    expect(types(next.effects)).not.toContain('transcribe');
    expect(notices(next.effects)).toEqual(['info:heard-nothing']);
    expect(next.state).toMatchObject({ mic: 'off', handsFree: false, transcribing: false });
  });

  it('that failed to save: says so, and the Talk bar is usable again', () => {
    const next = transition(stopping, {
      type: 'recording-ended',
      result: { status: 'error', message: 'disk full' },
      stopPressedAt: 1,
    });
    expect(phaseOf(next.state)).toBe('idle');
    expect(notices(next.effects)).toEqual(['error:recording-failed']);
  });

  it('with nothing recorded: just idle', () => {
    const next = transition(stopping, {
      type: 'recording-ended',
      result: { status: 'not-recording' },
      stopPressedAt: 1,
    });
    expect(phaseOf(next.state)).toBe('idle');
    expect(next.effects).toEqual([]);
  });
});

describe('the transcript', () => {
  const transcribing: TurnState = { ...idle, transcribing: true };

  it('arrived: the teacher is asked, and the Talk bar shows it thinking', () => {
    const next = transition(transcribing, { type: 'transcribed', messageId: 'u1', replyId: 'r2' });
    expect(next.effects).toEqual([
      { type: 'clear-info' },
      { type: 'ask-teacher', replyId: 'r2' },
      { type: 'check-sentence', messageId: 'u1' },
    ]);
    expect(next.state.reply).toEqual(reply('r2'));
    expect(phaseOf(next.state)).toBe('thinking');
  });

  it('arrived: the sentence is checked for corrections beside the reply, never before the teacher is asked', () => {
    const speaking: TurnState = { ...transcribing, handsFree: true, reply: reply('r1', { audible: true }) };
    const next = transition(speaking, { type: 'transcribed', messageId: 'u7', replyId: 'r2' });
    const kinds = types(next.effects);
    expect(kinds.filter((kind) => kind === 'check-sentence')).toHaveLength(1);
    expect(kinds.indexOf('check-sentence')).toBeGreaterThan(kinds.indexOf('ask-teacher'));
    expect(next.effects).toContainEqual({ type: 'check-sentence', messageId: 'u7' });
    // The check is not part of the turn: the Talk bar shows only the teacher thinking.
    expect(phaseOf(next.state)).toBe('thinking');
  });

  it('arrived in hands-free: listening starts again at once, so the learner can interrupt by speaking', () => {
    const next = transition(
      { ...transcribing, handsFree: true },
      { type: 'transcribed', messageId: 'u1', replyId: 'r2' },
    );
    expect(next.effects).toContainEqual({ type: 'start-mic', handsFree: true });
    // Reopening the microphone is not shown; the teacher thinking is.
    expect(phaseOf(next.state)).toBe('thinking');
  });

  it('failed: offers Retry for that turn', () => {
    const error = new Error('401');
    const next = transition(transcribing, { type: 'transcription-failed', messageId: 'u1', error, empty: false });
    expect(phaseOf(next.state)).toBe('idle');
    expect(next.effects).toEqual([
      { type: 'notify', notice: { kind: 'error', text: { id: 'api-error' }, error, messageId: 'u1' } },
    ]);
  });

  it('held no words: says so; hands-free keeps listening', () => {
    const next = transition(
      { ...transcribing, handsFree: true },
      { type: 'transcription-failed', messageId: 'u1', error: null, empty: true },
    );
    expect(notices(next.effects)).toEqual(['info:no-words']);
    expect(next.effects).toContainEqual({ type: 'start-mic', handsFree: true });
  });
});

describe('the teacher’s reply', () => {
  const thinking: TurnState = { ...idle, reply: reply() };

  it('becomes "speaking" at its first audio', () => {
    const next = transition(thinking, { type: 'reply-audible', replyId: 'r1' });
    expect(phaseOf(next.state)).toBe('speaking');
  });

  it('ends when the stream has ended and the voice has spoken it all, in either order', () => {
    const streamed = transition(thinking, { type: 'reply-streamed', replyId: 'r1', sentences: 3 });
    expect(streamed.effects).toEqual([{ type: 'end-speech', replyId: 'r1' }]);
    expect(streamed.state.reply).not.toBeNull();
    const spoken = transition(streamed.state, { type: 'speech-finished', replyId: 'r1', status: 'done' });
    expect(spoken.state.reply).toBeNull();
    expect(phaseOf(spoken.state)).toBe('idle');
  });

  it('with no sentence at all ends with the stream', () => {
    const next = transition(thinking, { type: 'reply-streamed', replyId: 'r1', sentences: 0 });
    expect(next.state.reply).toBeNull();
    expect(next.effects).toEqual([]);
  });

  it('ending in hands-free reopens the microphone', () => {
    const state: TurnState = { ...idle, handsFree: true, reply: reply('r1', { streamDone: true }) };
    const next = transition(state, { type: 'speech-finished', replyId: 'r1', status: 'done' });
    expect(next.effects).toEqual([{ type: 'start-mic', handsFree: true }]);
    expect(next.state.mic).toBe('starting');
  });

  it('ending in hands-free while already listening leaves the microphone alone', () => {
    const state: TurnState = { ...idle, mic: 'listening', handsFree: true, reply: reply('r1', { streamDone: true }) };
    const next = transition(state, { type: 'speech-finished', replyId: 'r1', status: 'done' });
    expect(next.effects).toEqual([]);
    expect(phaseOf(next.state)).toBe('listening');
  });

  it('stopped by another panel taking the voice: ends here, keeping what was heard', () => {
    const next = transition(
      { ...thinking, reply: reply('r1', { audible: true }) },
      { type: 'speech-finished', replyId: 'r1', status: 'stopped' },
    );
    expect(next.effects).toEqual([{ type: 'mark-interrupted', replyId: 'r1' }]);
    expect(phaseOf(next.state)).toBe('idle');
  });

  it('failing: silences what was queued and offers Retry of the learner’s turn', () => {
    const error = new Error('500');
    const next = transition(thinking, { type: 'reply-failed', replyId: 'r1', error, retryMessageId: 'u1' });
    expect(next.effects).toEqual([
      { type: 'stop-speech' },
      { type: 'notify', notice: { kind: 'error', text: { id: 'api-error' }, error, messageId: 'u1' } },
    ]);
    expect(phaseOf(next.state)).toBe('idle');
  });

  it('failing in hands-free: listening goes on', () => {
    const state: TurnState = { ...thinking, mic: 'listening', handsFree: true };
    const next = transition(state, { type: 'reply-failed', replyId: 'r1', error: new Error('x') });
    expect(phaseOf(next.state)).toBe('listening');
  });

  it('when the companion is down: the browser’s voice reads it, once, and the learner is told how to start the companion', () => {
    const next = transition(thinking, {
      type: 'companion-failed',
      replyId: 'r1',
      unreachable: true,
      message: 'refused',
    });
    expect(next.state.reply).toMatchObject({ voice: 'browser', audible: true });
    expect(next.effects).toEqual([
      { type: 'notify', notice: { kind: 'info', text: { id: 'companion-unreachable' }, action: 'settings' } },
      { type: 'speak-in-browser', replyId: 'r1' },
    ]);
    expect(
      transition(next.state, { type: 'companion-failed', replyId: 'r1', unreachable: true, message: 'again' }).effects,
    ).toEqual([]);
    // The browser's voice has no end-of-reply message: the runner reports when it has finished.
    expect(transition(next.state, { type: 'reply-streamed', replyId: 'r1', sentences: 2 }).effects).toEqual([]);
  });

  it('a companion error other than unreachable offers no settings (settings cannot fix it)', () => {
    const next = transition(thinking, {
      type: 'companion-failed',
      replyId: 'r1',
      unreachable: false,
      message: 'model crashed',
    });
    expect(next.effects[0]).toEqual({
      type: 'notify',
      notice: { kind: 'info', text: { id: 'companion-failed', detail: 'model crashed' } },
    });
  });

  it.each<TurnEvent>([
    { type: 'reply-audible', replyId: 'old' },
    { type: 'reply-streamed', replyId: 'old', sentences: 2 },
    { type: 'reply-failed', replyId: 'old', error: null },
    { type: 'companion-failed', replyId: 'old', unreachable: true, message: '' },
    { type: 'speech-finished', replyId: 'old', status: 'done' },
  ])('ignores news of a reply that is no longer current (%o)', (event) => {
    const next = transition(thinking, event);
    expect(next).toEqual({ state: thinking, effects: [] });
  });

  it('the opening question is asked only into silence', () => {
    expect(transition(idle, { type: 'teacher-opens', replyId: 'r0' }).effects).toEqual([
      { type: 'ask-teacher', replyId: 'r0' },
    ]);
    expect(transition({ ...idle, mic: 'recording' }, { type: 'teacher-opens', replyId: 'r0' }).effects).toEqual([]);
  });
});

describe('retry and unsent turns', () => {
  it('retrying a failed transcription transcribes the kept recording again', () => {
    const next = transition(idle, { type: 'retry', messageId: 'u1', transcribed: false, replyId: 'r9' });
    expect(next.effects).toEqual([{ type: 'clear-notice' }, { type: 'transcribe-again', messageId: 'u1' }]);
    expect(phaseOf(next.state)).toBe('transcribing');
  });

  it('retrying a turn whose reply failed asks the teacher again', () => {
    const next = transition(idle, { type: 'retry', messageId: 'u1', transcribed: true, replyId: 'r9' });
    expect(next.effects).toEqual([{ type: 'clear-notice' }, { type: 'ask-teacher', replyId: 'r9' }]);
    expect(phaseOf(next.state)).toBe('thinking');
  });

  it('retrying from hands-free listening stops listening first', () => {
    const next = transition(
      { ...idle, mic: 'listening', handsFree: true },
      { type: 'retry', messageId: 'u1', transcribed: false, replyId: 'r9' },
    );
    expect(types(next.effects)).toEqual(['cancel-mic', 'clear-notice', 'transcribe-again']);
    expect(next.state.handsFree).toBe(false);
  });

  it('retrying mid-turn waits', () => {
    const busy: TurnState = { ...idle, mic: 'recording' };
    const next = transition(busy, { type: 'retry', messageId: 'u1', transcribed: false, replyId: 'r9' });
    expect(next.state).toEqual(busy);
    expect(notices(next.effects)).toEqual(['info:still-working']);
  });

  it('sending a recording made while the panel was closed transcribes it', () => {
    const next = transition(idle, { type: 'send-unsent', messageId: 'u7' });
    expect(next.effects).toContainEqual({ type: 'transcribe-again', messageId: 'u7' });
  });
});

describe('stopping everything (another conversation, the panel going away)', () => {
  it('silences the teacher and releases the microphone', () => {
    const state: TurnState = { ...idle, mic: 'listening', handsFree: true, reply: reply('r1', { audible: true }) };
    const next = transition(state, { type: 'stop-all' });
    expect(next.effects).toEqual([
      { type: 'interrupt-reply', replyId: 'r1' },
      { type: 'cancel-mic' },
      { type: 'cancel-checks' },
    ]);
    expect(next.state).toMatchObject({ mic: 'off', handsFree: false, reply: null });
  });

  it('the panel going away leaves the recording to the recording document, which keeps it unsent', () => {
    const next = transition({ ...idle, mic: 'recording' }, { type: 'stop-all', closing: true });
    expect(types(next.effects)).not.toContain('cancel-mic');
    expect(next.state.mic).toBe('off');
  });

  it('when idle only lets go of the corrections checks still out', () => {
    expect(transition(idle, { type: 'stop-all' }).effects).toEqual([{ type: 'cancel-checks' }]);
  });

  it('while transcribing: the upload is abandoned, and a transcript that arrives anyway asks nobody', () => {
    const next = transition({ ...idle, transcribing: true }, { type: 'stop-all' });
    expect(next.effects).toEqual([{ type: 'abandon-transcription', closing: false }, { type: 'cancel-checks' }]);
    expect(phaseOf(next.state)).toBe('idle');
    expect(transition(next.state, { type: 'transcribed', messageId: 'u1', replyId: 'r2' }).effects).toEqual([]);
    const failed = transition(next.state, { type: 'transcription-failed', messageId: 'u1', error: null, empty: false });
    expect(failed.effects).toEqual([]);
  });

  it('while an attempt is judged: the attempt is abandoned', () => {
    const target = { id: 't1', text: 'Hello.', kind: 'say-again' as const };
    const next = transition({ ...idle, transcribing: true, practice: target }, { type: 'stop-all' });
    expect(types(next.effects)).toEqual(['abandon-attempt', 'cancel-checks']);
    expect(next.state.practice).toBeNull();
  });

  it('while the recording is stopping: the recording that arrives after is deleted, not sent', () => {
    const stopped = transition({ ...idle, mic: 'stopping' }, { type: 'stop-all' }).state;
    const ended = transition(stopped, { type: 'recording-ended', result: saved(), stopPressedAt: 1 });
    expect(ended.effects).toEqual([{ type: 'discard-recording', recordingId: 'rec1' }]);
    expect(phaseOf(ended.state)).toBe('idle');
  });
});

describe('a message that could not be saved', () => {
  it('is said with Retry for the save, whatever the turn is doing, and Retry writes it again', () => {
    const error = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const thinking: TurnState = { ...idle, reply: reply('r1') };
    const failed = transition(thinking, { type: 'not-saved', messageId: 'u1', error });
    expect(failed.state).toEqual(thinking);
    expect(failed.effects).toEqual([
      {
        type: 'notify',
        notice: { kind: 'error', text: { id: 'not-saved', error }, action: 'retry-save', messageId: 'u1' },
      },
    ]);
    expect(transition(idle, { type: 'retry-save' }).effects).toEqual([
      { type: 'clear-notice' },
      { type: 'save-again' },
    ]);
  });
});

describe('the microphone allowed on the permission page', () => {
  it('says the learner can talk now', () => {
    expect(notices(transition(idle, { type: 'microphone-allowed' }).effects)).toEqual(['info:microphone-allowed']);
  });
});

describe('practice attempts ("Say it again", "Read it aloud")', () => {
  const target = { id: 'corr-1', text: 'Yesterday I went to the park.', kind: 'say-again' as const };
  const practise: TurnEvent = { type: 'practise', target, hasKey: true };

  it('record at once, push-to-talk even in hands-free, and the same button (or Talk) sends the attempt', () => {
    const started = run({ ...idle, handsFree: true }, practise, { type: 'mic-started' });
    expect(started.state).toMatchObject({ mic: 'recording', handsFree: false, practice: target });
    expect(transition(idle, practise).effects).toContainEqual({ type: 'start-mic', handsFree: false, practice: true });
    expect(transition(started.state, practise).effects).toEqual([{ type: 'stop-mic' }]);
    expect(transition(started.state, press).effects).toEqual([{ type: 'stop-mic' }]);
  });

  it('over the teacher: it falls silent first', () => {
    const next = transition({ ...idle, reply: reply('r1', { audible: true }) }, practise);
    expect(next.effects[0]).toEqual({ type: 'interrupt-reply', replyId: 'r1' });
  });

  it('an attempt is judged against its text, not sent to the teacher', () => {
    const recording = run(idle, practise, { type: 'mic-started' }, press).state;
    const ended = transition(recording, { type: 'recording-ended', result: saved(), stopPressedAt: 1 });
    expect(ended.effects).toContainEqual({ type: 'judge-attempt', recording: saved(), target });
    expect(types(ended.effects)).not.toContain('transcribe');
    expect(phaseOf(ended.state)).toBe('transcribing');
    const judged = transition(ended.state, { type: 'attempt-judged', targetId: 'corr-1' });
    expect(judged.state).toMatchObject({ practice: null, transcribing: false });
    expect(phaseOf(judged.state)).toBe('idle');
    expect(types(judged.effects)).not.toContain('ask-teacher');
  });

  it('a silent attempt is judged (the judge says nothing was heard); a double press is deleted and the learner told; a failed one says why', () => {
    const recording = run(idle, practise, { type: 'mic-started' }, press).state;
    const quiet = saved({ peakLevel: 0, speechDetected: false });
    const silent = transition(recording, { type: 'recording-ended', result: quiet, stopPressedAt: 1 });
    expect(silent.effects).toContainEqual({ type: 'judge-attempt', recording: quiet, target });
    expect(notices(silent.effects)).toEqual([]);
    const doublePress = transition(recording, {
      type: 'recording-ended',
      result: saved({ durationMs: 120, peakLevel: 0, speechDetected: false }),
      stopPressedAt: 1,
    });
    expect(doublePress.state.practice).toBeNull();
    expect(types(doublePress.effects)).toEqual(['discard-recording', 'notify']);
    expect(notices(doublePress.effects)).toEqual(['info:heard-nothing']);
    const judging = transition(recording, { type: 'recording-ended', result: saved(), stopPressedAt: 1 }).state;
    const failed = transition(judging, { type: 'attempt-failed', targetId: 'corr-1', error: new Error('401') });
    expect(failed.state).toMatchObject({ practice: null, transcribing: false });
    expect(notices(failed.effects)).toEqual(['error:api-error']);
  });

  it('the microphone failing while it is recorded ends the practice and says so: the next press is a turn of its own', () => {
    const recording = run(idle, practise, { type: 'mic-started' }).state;
    const failed = transition(recording, { type: 'mic-failed', message: 'The microphone was unplugged.' });
    expect(failed.state).toMatchObject({ mic: 'off', practice: null });
    expect(notices(failed.effects)).toEqual(['error:attempt-mic-stopped']);
    const next = run(failed.state, press, { type: 'mic-started' }, press);
    const ended = transition(next.state, { type: 'recording-ended', result: saved(), stopPressedAt: 1 });
    expect(types(ended.effects)).toContain('transcribe');
    expect(types(ended.effects)).not.toContain('judge-attempt');
  });

  it('waits while another turn is busy, and needs a key', () => {
    expect(notices(transition({ ...idle, transcribing: true }, practise).effects)).toEqual(['info:still-working']);
    expect(notices(transition(idle, { ...practise, hasKey: false }).effects)).toEqual(['error:no-key']);
  });

  it('needs no key for the attempts judged on this computer only (Repeat after me, a sound drill)', () => {
    for (const kind of ['repeat', 'sound-drill'] as const) {
      const local = transition(idle, { ...practise, target: { ...target, kind }, hasKey: false });
      expect(notices(local.effects)).toEqual([]);
      expect(types(local.effects)).toContain('start-mic');
    }
  });
});

describe('a voice sample (Settings › Voice)', () => {
  const sample: TurnEvent = {
    type: 'read-out',
    id: 's1',
    text: 'Hello!',
    slow: false,
    sample: { url: 'http://127.0.0.1:8730', token: '', voice: 'bf_emma' },
  };

  it('is a read-out in the picked voice, between turns only', () => {
    const next = transition(idle, sample);
    expect(next.effects).toEqual([
      {
        type: 'start-read-out',
        id: 's1',
        text: 'Hello!',
        slow: false,
        sample: { url: 'http://127.0.0.1:8730', token: '', voice: 'bf_emma' },
      },
    ]);
    expect(next.state.readOut).toEqual({ id: 's1', voice: 'companion', sample: true });
    expect(transition({ ...idle, mic: 'recording' }, sample).state.readOut).toBeNull();
  });

  it('that the companion cannot speak ends: no browser voice (it would be another voice), no banner', () => {
    const playing = transition(idle, sample).state;
    const failed = transition(playing, { type: 'read-out-failed', id: 's1', unreachable: true, message: 'down' });
    expect(failed.state.readOut).toBeNull();
    expect(failed.effects).toEqual([]);
  });

  it('Stop silences it; a Stop for one already over does nothing', () => {
    const playing = transition(idle, sample).state;
    const stopped = transition(playing, { type: 'stop-read-out', id: 's1' });
    expect(stopped.effects).toEqual([{ type: 'stop-read-out', id: 's1' }]);
    expect(stopped.state.readOut).toBeNull();
    expect(transition(stopped.state, { type: 'stop-read-out', id: 's1' }).effects).toEqual([]);
  });
});

describe('read-outs ("Listen again", "Listen slowly", "Listen first", a meaning)', () => {
  const readOut: TurnEvent = { type: 'read-out', id: 'ro1', text: 'Hello there.', slow: true };

  it('between turns: read in the teacher’s voice, and the Talk bar stays ready', () => {
    const next = transition(idle, readOut);
    expect(next.effects).toEqual([{ type: 'start-read-out', id: 'ro1', text: 'Hello there.', slow: true }]);
    expect(next.state.readOut).toEqual({ id: 'ro1', voice: 'companion' });
    expect(phaseOf(next.state)).toBe('idle');
    const done = transition(next.state, { type: 'read-out-finished', id: 'ro1' });
    expect(done.state.readOut).toBeNull();
  });

  it('never over the learner or the teacher', () => {
    expect(transition({ ...idle, mic: 'recording' }, readOut).effects).toEqual([]);
    expect(transition({ ...idle, transcribing: true }, readOut).effects).toEqual([]);
    expect(transition({ ...idle, reply: reply('r1', { audible: true }) }, readOut).effects).toEqual([]);
  });

  it('a second one replaces the first, which falls silent first', () => {
    const first = transition(idle, readOut).state;
    const second = transition(first, { type: 'read-out', id: 'ro2', text: 'Again.', slow: false });
    expect(types(second.effects)).toEqual(['stop-read-out', 'start-read-out']);
    expect(second.state.readOut?.id).toBe('ro2');
    // The first one's end is not the second's.
    expect(transition(second.state, { type: 'read-out-finished', id: 'ro1' }).state.readOut?.id).toBe('ro2');
  });

  it('pressing Talk silences it before the microphone opens', () => {
    const reading = transition(idle, readOut).state;
    const pressed = transition(reading, press);
    expect(pressed.effects[0]).toEqual({ type: 'stop-read-out', id: 'ro1' });
    expect(types(pressed.effects)).toContain('start-mic');
    expect(pressed.state.readOut).toBeNull();
  });

  it('the companion failing: the browser’s voice reads it, once, and the banner says why as for a reply', () => {
    const reading = transition(idle, readOut).state;
    const failed = transition(reading, { type: 'read-out-failed', id: 'ro1', unreachable: true, message: 'down' });
    expect(failed.state.readOut).toEqual({ id: 'ro1', voice: 'browser' });
    expect(notices(failed.effects)).toEqual(['info:companion-unreachable']);
    expect(failed.effects).toContainEqual({ type: 'notify', notice: expect.objectContaining({ action: 'settings' }) });
    expect(failed.effects).toContainEqual({ type: 'read-out-in-browser', id: 'ro1' });
    expect(
      transition(failed.state, { type: 'read-out-failed', id: 'ro1', unreachable: true, message: 'down' }).effects,
    ).toEqual([]);
    const other = transition(reading, { type: 'read-out-failed', id: 'ro1', unreachable: false, message: '500' });
    expect(notices(other.effects)).toEqual(['info:companion-failed']);
    // A read-out that has ended (or was replaced) is not read by anyone.
    expect(
      transition(idle, { type: 'read-out-failed', id: 'ro1', unreachable: true, message: 'down' }).effects,
    ).toEqual([]);
  });

  it('the teacher’s opening question, or another conversation, ends it too', () => {
    const reading = transition(idle, readOut).state;
    expect(transition(reading, { type: 'teacher-opens', replyId: 'r9' }).effects[0]).toEqual({
      type: 'stop-read-out',
      id: 'ro1',
    });
    const stopped = transition(reading, { type: 'stop-all' });
    expect(stopped.effects).toContainEqual({ type: 'stop-read-out', id: 'ro1' });
    expect(stopped.state.readOut).toBeNull();
  });
});
