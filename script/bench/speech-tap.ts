import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the companion that notes the text of every speech request (and when each
 * transcription request came and was answered): the
 * bench's way to see which words the extension sent to the voice first (its first clause, or the
 * whole first sentence). It forwards bytes as they come, both ways, so it adds well under a
 * millisecond; the companion behind it may be restarted on another port.
 */
export interface SpeechTap {
  url: string;
  /** Texts sent to /v1/audio/speech, in arrival order, with arrival time (performance.timeOrigin + now()). */
  requests: Array<{ input: string; at: number }>;
  /**
   * Transcription requests (`npm run bench -- --stt`, where the companion transcribes): from their arrival to the
   * answer's last byte, on the same clock.
   */
  transcriptions: Array<{ at: number; doneAt?: number; status?: number }>;
  close(): Promise<void>;
}

/**
 * The requests answered with a transcript: a whole upload, or a stream's end (a client of the companion's streaming
 * endpoint sends the turn while it is recorded; its opening and pieces are not what the learner waits for).
 */
const TRANSCRIPT_ANSWERED = /\/audio\/transcriptions(\/stream\/[^/]+\/end)?$/;

export async function startSpeechTap(target: () => string): Promise<SpeechTap> {
  const requests: SpeechTap['requests'] = [];
  const transcriptions: SpeechTap['transcriptions'] = [];
  const server = http.createServer((req, res) => {
    const at = performance.timeOrigin + performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.includes('/audio/speech')) {
        try {
          const input = (JSON.parse(body.toString('utf8')) as { input?: unknown }).input;
          if (typeof input === 'string') requests.push({ input, at });
        } catch {
          // Not JSON: the companion answers it with its own error; there is nothing to note.
        }
      }
      const transcription: SpeechTap['transcriptions'][number] | undefined =
        req.method === 'POST' && TRANSCRIPT_ANSWERED.test(new URL(req.url ?? '/', 'http://tap').pathname)
          ? { at }
          : undefined;
      if (transcription) transcriptions.push(transcription);
      const upstream = new URL(req.url ?? '/', target());
      const forward = http.request(
        upstream,
        { method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          if (transcription) {
            transcription.status = answer.statusCode;
            answer.on('end', () => (transcription.doneAt = performance.timeOrigin + performance.now()));
          }
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`speech tap: the companion did not answer (${error.message})`);
      });
      res.on('close', () => forward.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    transcriptions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
