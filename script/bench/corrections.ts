import type { RecordedRequest } from '../openai-standin/server.ts';

/**
 * Finds the corrections lane among the requests the stand-in recorded during a turn, for the bench's
 * "corrections beside the spoken lane" columns: a chat request with a response_format, or whose
 * instructions ask for "corrections" as JSON (the plain-instructions fallback).
 */
export function isCorrectionsRequest(request: RecordedRequest): boolean {
  if (request.endpoint !== 'chat' || typeof request.body !== 'object' || request.body === null) return false;
  const body = request.body as { response_format?: unknown; messages?: Array<{ role?: string; content?: unknown }> };
  if (body.response_format) return true;
  return (body.messages ?? []).some((m) => m.role === 'system' && typeof m.content === 'string' && m.content.includes('"corrections"') && /json/i.test(m.content));
}

export interface CorrectionsLaneTiming {
  /** Date.now() of the first corrections request of the turn (the lane's start). */
  sentAt: number;
  /** Date.now() when the request that answered (the last one, after any refused formats) completed. */
  answeredAt: number;
  /** Requests the lane took: more than one when the server refused json_schema or json_object. */
  requests: number;
  answered: boolean;
}

/** The lane's timing among requests received at or after `since` (e.g. the turn's second press). */
export function correctionsLaneOf(requests: readonly RecordedRequest[], since: number): CorrectionsLaneTiming | undefined {
  const lane = requests.filter((r) => r.receivedAt >= since && isCorrectionsRequest(r));
  const first = lane[0];
  const last = lane.at(-1);
  if (!first || !last) return undefined;
  return {
    sentAt: first.receivedAt,
    answeredAt: last.completedAt ?? Number.NaN,
    requests: lane.length,
    answered: last.status === 200,
  };
}
