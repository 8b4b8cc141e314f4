/**
 * npm run bench:corrections — the corrections lane beside the spoken lane, at the API level.
 *
 * Against the OpenAI stand-in (default latency profile unless told otherwise), each round sends the
 * teacher's streamed reply alone, then the same reply together with the corrections request for the
 * same sentence (as a turn does once the transcript exists), and reports the spoken lane's time to
 * its first sentence both ways and the corrections lane's time to a validated answer, for a server
 * with json_schema, one with only json_object, and one with neither (first request pays for the
 * refused attempts, later ones start from what was remembered). It does not run the extension:
 * `npm run bench` measures first audio there. Exits 0 whenever it ran.
 *
 *   npm run bench:corrections -- [--rounds 5] [--latency-profile default|fast] [--json FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { StructuredMode } from '../features/corrections/correction-schema.ts';
import { requestCorrections } from '../features/corrections/corrections.ts';
import type { StructuredSupportMemory } from '../features/corrections/structured-support.ts';
import { formatValue, median, table } from './bench/analysis.ts';
import { streamChat } from './bench/node-pipeline.ts';
import type { StructuredOutputs } from './openai-standin/corrections.ts';
import { LATENCY_PROFILES, startStandin, type LatencyProfile } from './openai-standin/server.ts';

const SENTENCE = 'Yesterday I go to the library with my friend';
const TEACHER_LINE = 'What did you do yesterday?';
// features/settings/settings.ts needs the extension's storage; the stand-in's teacher ignores the prompt's wording anyway.
const TEACHER_INSTRUCTIONS =
  'I want you to act as a spoken English teacher and improver. Keep your reply under 100 words and ask me a question.';

interface Round {
  support: StructuredOutputs;
  round: number;
  spokenAloneMs: number;
  spokenBesideMs: number;
  correctionsMs: number;
  mode: StructuredMode | 'failed';
  requests: number;
}

function memory(): StructuredSupportMemory {
  const known = new Map<string, StructuredMode>();
  return { get: async (url) => known.get(url), remember: async (url, mode) => void known.set(url, mode) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      'latency-profile': { type: 'string', default: 'default' },
      json: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  const profile = values['latency-profile'] as LatencyProfile;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive whole number, got ${values.rounds}`);
  if (!(profile in LATENCY_PROFILES))
    throw new Error(`--latency-profile must be one of ${Object.keys(LATENCY_PROFILES).join(', ')}`);

  const standin = await startStandin({ latencyProfile: profile });
  const endpoint = { apiKey: standin.apiKey, baseUrl: standin.url, model: 'gpt-4o-mini' };
  const spokenBody = {
    model: 'gpt-4o-mini',
    stream: true,
    messages: [
      { role: 'system', content: TEACHER_INSTRUCTIONS },
      { role: 'assistant', content: TEACHER_LINE },
      { role: 'user', content: SENTENCE },
    ],
  };
  const results: Round[] = [];
  try {
    for (const support of ['json_schema', 'json_object', 'none'] as const) {
      standin.control.setStructuredOutputs(support);
      const remembered = memory();
      for (let round = 1; round <= rounds; round++) {
        const alone = await streamChat(standin.url, standin.apiKey, spokenBody);
        standin.control.clearRequests();
        const started = performance.now();
        const [beside, corrections] = await Promise.all([
          streamChat(standin.url, standin.apiKey, spokenBody),
          requestCorrections(
            endpoint,
            { sentence: SENTENCE, previousTeacherLine: TEACHER_LINE, explanationLanguage: 'en' },
            { support: remembered },
          ).then((outcome) => ({ outcome, ms: performance.now() - started })),
        ]);
        results.push({
          support,
          round,
          spokenAloneMs: alone.firstSentenceMs,
          spokenBesideMs: beside.firstSentenceMs,
          correctionsMs: corrections.ms,
          mode: corrections.outcome.ok ? corrections.outcome.mode : 'failed',
          requests: standin.requests.filter((r) => r.endpoint === 'chat').length - 1,
        });
      }
    }
  } finally {
    await standin.close();
  }

  console.info(
    `Corrections lane beside the spoken lane (stand-in, ${profile} latencies: ${JSON.stringify(LATENCY_PROFILES[profile])})\n`,
  );
  console.info(
    table(
      [
        'server',
        'round',
        'spoken first sentence alone (ms)',
        'beside corrections (ms)',
        'corrections answered (ms)',
        'mode',
        'requests',
      ],
      results.map((r) => [
        r.support,
        String(r.round),
        formatValue(r.spokenAloneMs, 'ms'),
        formatValue(r.spokenBesideMs, 'ms'),
        formatValue(r.correctionsMs, 'ms'),
        r.mode,
        String(r.requests),
      ]),
    ),
  );
  console.info('\nMedians');
  console.info(
    table(
      ['server', 'spoken alone (ms)', 'spoken beside (ms)', 'difference (ms)', 'corrections (ms)'],
      (['json_schema', 'json_object', 'none'] as const).map((support) => {
        const of = results.filter((r) => r.support === support);
        const alone = median(of.map((r) => r.spokenAloneMs));
        const beside = median(of.map((r) => r.spokenBesideMs));
        return [
          support,
          formatValue(alone, 'ms'),
          formatValue(beside, 'ms'),
          formatValue(beside - alone, 'ms'),
          formatValue(median(of.map((r) => r.correctionsMs)), 'ms'),
        ];
      }),
    ),
  );
  if (values.json) await writeFile(values.json, JSON.stringify({ profile, results }, null, 2));
}

main().catch((error: unknown) => {
  console.error(`bench:corrections: ${(error as Error).message}`);
  process.exit(1);
});
