import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSettings, fakeSpeaker, fakeSpeechSynthesis, recordEvents } from '../talk/testing/turn-fakes';
import { createReadOut } from './read-out';

/** Read-outs on their own: "Listen again", "Listen slowly", "Listen first" and meanings, one part. */

let speech: ReturnType<typeof fakeSpeechSynthesis>;
beforeEach(() => {
  speech = fakeSpeechSynthesis();
  vi.stubGlobal('speechSynthesis', speech.synthesis);
  vi.stubGlobal('SpeechSynthesisUtterance', speech.Utterance);
});

function setUp() {
  const voice = fakeSpeaker();
  const events = recordEvents();
  const readOut = createReadOut({
    speaker: voice.speaker,
    settings: fakeSettings({ level: 'C1' }),
    dispatch: events.dispatch,
  });
  return { voice, events, readOut };
}

describe('a read-out', () => {
  it('goes to the companion sentence by sentence under its own id, and ends when the voice has said it all', async () => {
    const { voice, events, readOut } = setUp();
    await readOut.start('ro1', 'Trees cool the streets. They give shade.', false);
    expect(voice.queued.map((q) => [q.turnId, q.text])).toEqual([
      ['ro1', 'Trees cool the streets.'],
      ['ro1', 'They give shade.'],
    ]);
    expect(voice.ended).toEqual(['ro1']);
    voice.emit({ type: 'finished', turnId: 'ro1', status: 'done', heard: [0, 1] });
    expect(events.events).toEqual([{ type: 'read-out-finished', id: 'ro1' }]);
    expect(voice.listening('ro1')).toBe(false);
  });

  it('"Listen slowly" asks the companion for three quarters of the usual pace', async () => {
    const { voice, readOut } = setUp();
    await readOut.start('ro1', 'Hello there.', false);
    await readOut.start('ro2', 'Hello there.', true);
    const [normal, slow] = voice.queued.map((q) => q.companion.speed);
    expect(slow).toBeCloseTo(normal! * 0.75, 2);
  });

  it('stopped (Talk pressed) falls silent and reports nothing more', async () => {
    const { voice, events, readOut } = setUp();
    await readOut.start('ro1', 'Hello there. How are you?', false);
    await readOut.stop('ro1');
    expect(voice.stops).toBe(1);
    voice.emit({ type: 'finished', turnId: 'ro1', status: 'stopped', heard: [0] });
    expect(events.events).toEqual([]);
  });

  it('ends when another panel’s teacher takes the voice', async () => {
    const { voice, events, readOut } = setUp();
    await readOut.start('ro1', 'Hello there.', false);
    voice.emit({ type: 'finished', turnId: 'ro1', status: 'stopped', heard: [] });
    expect(events.events).toEqual([{ type: 'read-out-finished', id: 'ro1' }]);
  });

  it('the companion failing mid-way: the machine is told why, and the browser’s voice reads the rest, one sentence after another', async () => {
    const { voice, events, readOut } = setUp();
    await readOut.start('ro1', 'Trees cool the streets. They give shade. They clean the air.', false);
    voice.emit({ type: 'started', turnId: 'ro1', seq: 0, at: 1 });
    voice.emit({
      type: 'failed',
      turnId: 'ro1',
      seq: 1,
      message: 'The voice server at http://127.0.0.1:8730 cannot be reached.',
      unplayed: ['They give shade.', 'They clean the air.'],
      companionUnreachable: true,
    });
    expect(events.events).toEqual([
      {
        type: 'read-out-failed',
        id: 'ro1',
        unreachable: true,
        message: 'The voice server at http://127.0.0.1:8730 cannot be reached.',
      },
    ]);
    voice.emit({ type: 'finished', turnId: 'ro1', status: 'failed', heard: [0] });
    readOut.inBrowser('ro1');
    expect(speech.spoken.map((u) => u.text)).toEqual(['They give shade.']);
    speech.finishOne();
    expect(speech.spoken.map((u) => u.text)).toEqual(['They give shade.', 'They clean the air.']);
    expect(events.events).toHaveLength(1);
    speech.finishOne();
    expect(events.events.at(-1)).toEqual({ type: 'read-out-finished', id: 'ro1' });
  });

  it('the voice player out of reach: the machine is told, and the browser’s voice reads all of it', async () => {
    const { voice, events, readOut } = setUp();
    voice.unreachable();
    await readOut.start('ro1', 'Trees cool the streets. They give shade.', false);
    expect(events.events).toEqual([
      { type: 'read-out-failed', id: 'ro1', unreachable: false, message: 'AITalk could not reach its recorder.' },
    ]);
    readOut.inBrowser('ro1');
    expect(speech.spoken.map((u) => u.text)).toEqual(['Trees cool the streets.']);
  });

  it('stopped while the browser’s voice reads it: silenced, and nothing more of it is read', async () => {
    const { voice, readOut } = setUp();
    voice.unreachable();
    await readOut.start('ro1', 'Trees cool the streets. They give shade.', false);
    readOut.inBrowser('ro1');
    await readOut.stop('ro1');
    expect(speech.cancels).toBe(1);
    speech.finishOne();
    expect(speech.spoken).toHaveLength(1);
  });

  it('a voice sample goes to the companion the Settings form names, in the picked voice, and says when it is over', async () => {
    const { voice, readOut } = setUp();
    const target = { url: 'http://127.0.0.1:9000', token: 'tok-12345', voice: 'bf_emma' };
    await readOut.start('s1', "Hello! Let's practise speaking English together.", false, target);
    expect(voice.queued.map((q) => q.companion)).toEqual([
      expect.objectContaining(target),
      expect.objectContaining(target),
    ]);
    expect(readOut.sample.value).toEqual({ id: 's1', status: 'playing' });
    voice.emit({ type: 'finished', turnId: 's1', status: 'done', heard: [0, 1] });
    expect(readOut.sample.value).toEqual({ id: 's1', status: 'done' });
  });

  it('a voice sample the companion cannot speak says why, and the browser’s voice does not read it', async () => {
    const { voice, events, readOut } = setUp();
    await readOut.start('s1', 'Hello!', false, { url: 'http://127.0.0.1:8730', token: '', voice: 'nobody' });
    voice.emit({
      type: 'failed',
      turnId: 's1',
      seq: 0,
      message: 'The voice server answered 400: Unknown voice "nobody"',
      unplayed: [],
      companionUnreachable: false,
    });
    expect(readOut.sample.value).toEqual({
      id: 's1',
      status: 'failed',
      detail: 'The voice server answered 400: Unknown voice "nobody"',
      unreachable: false,
    });
    expect(events.events).toEqual([
      expect.objectContaining({ type: 'read-out-failed', id: 's1', message: expect.stringContaining('nobody') }),
    ]);
    readOut.inBrowser('s1');
    expect(speech.spoken).toEqual([]);
  });

  it('a voice sample stopped says so, and an ordinary read-out leaves the sample’s state alone', async () => {
    const { readOut } = setUp();
    await readOut.start('s1', 'Hello!', false, { url: 'http://127.0.0.1:8730', token: '', voice: 'af_heart' });
    await readOut.stop('s1');
    expect(readOut.sample.value).toEqual({ id: 's1', status: 'stopped' });
    await readOut.start('ro2', 'Trees cool the streets.', false);
    expect(readOut.sample.value).toEqual({ id: 's1', status: 'stopped' });
  });
});
