import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../openai-standin/server.ts';
import { correctionsLaneOf, isCorrectionsRequest, lanesOfTurn, lanesTable } from './corrections.ts';

const request = (
  id: number,
  body: unknown,
  receivedAt: number,
  completedAt: number,
  status = 200,
): RecordedRequest => ({
  id,
  method: 'POST',
  path: '/v1/chat/completions',
  endpoint: 'chat',
  receivedAt,
  completedAt,
  status,
  body,
  headers: {},
  valid: true,
  validationErrors: [],
  aborted: false,
});

const TEACHER = {
  model: 'm',
  stream: true,
  messages: [
    { role: 'system', content: 'Be a teacher.' },
    { role: 'user', content: 'I go home' },
  ],
};
const SCHEMA = { model: 'm', response_format: { type: 'json_schema' }, messages: [] };
const PLAIN = {
  model: 'm',
  messages: [{ role: 'system', content: 'Return "corrections" … Answer with only a JSON object' }],
};

describe('the corrections lane in the bench', () => {
  it('tells corrections requests from the teacher’s', () => {
    expect(isCorrectionsRequest(request(1, TEACHER, 0, 1))).toBe(false);
    expect(isCorrectionsRequest(request(2, SCHEMA, 0, 1))).toBe(true);
    expect(isCorrectionsRequest(request(3, PLAIN, 0, 1))).toBe(true);
  });

  it('times the lane from its first request to the answer, across refused formats, after the press', () => {
    const requests = [
      request(1, SCHEMA, 50, 90),
      request(2, TEACHER, 1000, 4000),
      request(3, SCHEMA, 1001, 1003, 400),
      request(4, PLAIN, 1004, 2600),
    ];
    expect(correctionsLaneOf(requests, 1000)).toEqual({ sentAt: 1001, answeredAt: 2600, requests: 2, answered: true });
    expect(correctionsLaneOf(requests, 5000)).toBeUndefined();
  });
});

describe('the two lanes of a timed turn', () => {
  it('takes the card time from the learner turn’s checkedAt, and the lane’s from the server', () => {
    const lane = { sentAt: 100, answeredAt: 1_900, requests: 1, answered: true };
    expect(lanesOfTurn('S1', 1_200, 12_500, 10_000, lane)).toEqual({
      turn: 'S1',
      firstAudioMs: 1_200,
      cardMs: 2_500,
      laneServerMs: 1_800,
      laneRequests: 1,
    });
    // No card (the check failed or never ran): the figures say so instead of inventing one.
    const none = lanesOfTurn('S2', 1_100, undefined, 10_000, undefined);
    expect(none.cardMs).toBeNaN();
    expect(none.laneRequests).toBe(0);
  });

  it('prints a row per turn and the median', () => {
    const rows = [
      { turn: 'S1', firstAudioMs: 1000, cardMs: 2000, laneServerMs: 900, laneRequests: 1 },
      { turn: 'S2', firstAudioMs: 1200, cardMs: 2600, laneServerMs: 1100, laneRequests: 2 },
      { turn: 'B1', firstAudioMs: 1100, cardMs: 2200, laneServerMs: 1000, laneRequests: 1 },
    ];
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
    const table = lanesTable(rows, median, (v) => String(Math.round(v)));
    expect(table.at(-1)).toEqual(['median', '1100', '2200', '1100', '1000', '']);
    expect(table[1]).toEqual(['S2', '1200', '2600', '1400', '1100', '2']);
  });
});
