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
  return (body.messages ?? []).some(
    (m) =>
      m.role === 'system' &&
      typeof m.content === 'string' &&
      m.content.includes('"corrections"') &&
      /json/i.test(m.content),
  );
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
export function correctionsLaneOf(
  requests: readonly RecordedRequest[],
  since: number,
): CorrectionsLaneTiming | undefined {
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

/** One timed turn's two lanes, in ms after the second press (NaN where a figure is missing). */
export interface LanesOfTurn {
  turn: string;
  firstAudioMs: number;
  /** When the card could be shown: the learner turn's `checkedAt` in IndexedDB. */
  cardMs: number;
  /** The lane's time at the server, its first request to its answer. */
  laneServerMs: number;
  laneRequests: number;
}

export function lanesOfTurn(
  turn: string,
  firstAudioMs: number,
  /** The learner turn's checkedAt and the second press, on the same clock (performance.timeOrigin-based). */
  checkedAt: number | undefined,
  pressedAt: number,
  lane: CorrectionsLaneTiming | undefined,
): LanesOfTurn {
  return {
    turn,
    firstAudioMs,
    cardMs: (checkedAt ?? Number.NaN) - pressedAt,
    laneServerMs: lane && lane.answered ? lane.answeredAt - lane.sentAt : Number.NaN,
    laneRequests: lane?.requests ?? 0,
  };
}

/** The rows of the bench's "corrections lane beside the spoken lane" table, with a median row. */
export function lanesTable(
  rows: readonly LanesOfTurn[],
  median: (values: number[]) => number,
  ms: (value: number) => string,
): string[][] {
  const body = rows.map((r) => [
    r.turn,
    ms(r.firstAudioMs),
    ms(r.cardMs),
    ms(r.cardMs - r.firstAudioMs),
    ms(r.laneServerMs),
    String(r.laneRequests),
  ]);
  const med = (pick: (r: LanesOfTurn) => number) => ms(median(rows.map(pick)));
  return [
    ...body,
    [
      'median',
      med((r) => r.firstAudioMs),
      med((r) => r.cardMs),
      med((r) => r.cardMs - r.firstAudioMs),
      med((r) => r.laneServerMs),
      '',
    ],
  ];
}

export const LANES_HEADERS = ['turn', '1st audio', 'card shown', 'card − audio', 'lane at server', 'requests'];
