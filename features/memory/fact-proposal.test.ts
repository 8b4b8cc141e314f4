import { describe, expect, it } from 'vitest';
import { buildFactsRequest, MAX_MESSAGE_CHARS, parseFacts, recentLearnerMessages } from './fact-proposal';

describe('the facts request', () => {
  it('keeps what it can of an answer: facts of an unknown kind, without words, or already known are left out', () => {
    const answer = JSON.stringify({
      facts: [
        { kind: 'job', text: ' Works as a nurse ' },
        { kind: 'hobby', text: 'Likes chess' },
        { kind: 'goal', text: '' },
        { kind: 'event', text: 'Has a job interview on Friday' },
        { kind: 'job', text: 'works as a NURSE' },
      ],
    });
    expect(parseFacts(answer, ['Has a job interview on Friday'])).toEqual({
      ok: true,
      facts: [{ kind: 'job', text: 'Works as a nurse' }],
    });
    expect(parseFacts('{"facts": "none"}')).toMatchObject({ ok: false });
    expect(parseFacts('Sure! {"facts": []} Hope this helps.')).toEqual({ ok: true, facts: [] });
  });

  it('sends only the learner’s newest messages that fit, oldest first', () => {
    const long = 'a'.repeat(MAX_MESSAGE_CHARS - 5);
    expect(recentLearnerMessages(['first', long, ' ', 'last'])).toEqual([long, 'last']);
    const request = buildFactsRequest('json_object', { learnerMessages: ['I like tea.'], known: [] }, 'm');
    expect(request.response_format).toEqual({ type: 'json_object' });
    expect(JSON.stringify(request.messages)).toContain('I like tea.');
  });
});
