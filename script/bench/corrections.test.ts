import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../openai-standin/server.ts';
import { correctionsLaneOf, isCorrectionsRequest } from './corrections.ts';

const request = (id: number, body: unknown, receivedAt: number, completedAt: number, status = 200): RecordedRequest => ({
  id, method: 'POST', path: '/v1/chat/completions', endpoint: 'chat', receivedAt, completedAt, status, body,
  headers: {}, valid: true, validationErrors: [], aborted: false,
});

const TEACHER = { model: 'm', stream: true, messages: [{ role: 'system', content: 'Be a teacher.' }, { role: 'user', content: 'I go home' }] };
const SCHEMA = { model: 'm', response_format: { type: 'json_schema' }, messages: [] };
const PLAIN = { model: 'm', messages: [{ role: 'system', content: 'Return "corrections" … Answer with only a JSON object' }] };

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
