import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpeechTap, type SpeechTap } from './speech-tap.ts';

/** A companion stand-in: speech answers at once, transcription sends half its answer, then the rest. */
describe('the speech tap in front of a transcribing companion (npm run bench -- --stt)', () => {
  let upstream: http.Server;
  let tap: SpeechTap;
  let transcriptionEndedAt = 0;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/v1/audio/transcriptions') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"text": "Yesterday I go');
          setTimeout(() => {
            transcriptionEndedAt = performance.timeOrigin + performance.now();
            res.end(' to the park."}');
          }, 50);
        } else if (req.url === '/v1/audio/speech') {
          res.writeHead(200, { 'content-type': 'audio/wav' });
          res.end(Buffer.alloc(44));
        } else {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    tap = await startSpeechTap(() => `http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await tap?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('notes each transcription from its arrival to the last byte of the answer, apart from speech', async () => {
    const sentAt = performance.timeOrigin + performance.now();
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(1000)], { type: 'audio/webm' }), 'recording.webm');
    form.set('model', 'tiny.en');
    const answer = await fetch(`${tap.url}/v1/audio/transcriptions`, { method: 'POST', body: form });
    expect(await answer.json()).toEqual({ text: 'Yesterday I go to the park.' });
    const speech = await fetch(`${tap.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Good.' }),
    });
    await speech.arrayBuffer();

    // A streamed turn: its opening and pieces are not noted, its end is.
    for (const path of ['/v1/audio/transcriptions/stream', '/v1/audio/transcriptions/stream/s1']) {
      await (await fetch(`${tap.url}${path}`, { method: 'POST', body: 'x' })).arrayBuffer();
    }
    expect(tap.transcriptions).toHaveLength(1);
    await (await fetch(`${tap.url}/v1/audio/transcriptions/stream/s1/end`, { method: 'POST', body: '' })).arrayBuffer();
    expect(tap.transcriptions).toHaveLength(2);
    const [noted] = tap.transcriptions;
    expect(noted?.status).toBe(200);
    expect(noted?.at).toBeGreaterThanOrEqual(sentAt);
    // Until the companion's last byte, not its headers: the bench's "transcription" column is the whole answer.
    expect(noted?.doneAt).toBeGreaterThanOrEqual(transcriptionEndedAt);
    expect(tap.requests.map((r) => r.input)).toEqual(['Good.']);
  });

  it('notes a refused transcription with its status, which the bench does not count as the turn’s', async () => {
    await tap.close();
    tap = await startSpeechTap(() => 'http://127.0.0.1:9');
    const answer = await fetch(`${tap.url}/v1/audio/transcriptions`, { method: 'POST', body: 'x' });
    expect(answer.status).toBe(502);
    expect(await answer.text()).toContain('the companion did not answer');
    expect(tap.transcriptions).toHaveLength(1);
    expect(tap.transcriptions[0]?.status).toBeUndefined();
  });
});
