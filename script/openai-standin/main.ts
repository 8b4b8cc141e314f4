import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { STRUCTURED_OUTPUTS, type StructuredOutputs } from './corrections.ts';
import {
  LATENCY_PROFILES,
  STANDIN_QUIRKS,
  startStandin,
  type LatencyProfile,
  type StandinQuirk,
  type StandinServes,
} from './server.ts';

const USAGE = `usage: npm run standin -- [--port N] [--latency-profile default|fast] [--key KEY] [--candidates FILE (one sentence a line)] [--transcript TEXT] [--serves all|chat|transcription] [--quirk ${STANDIN_QUIRKS.join('|')}]… [--structured-outputs json_schema|json_object|none]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8731' },
      'latency-profile': { type: 'string', default: 'default' },
      key: { type: 'string' },
      candidates: { type: 'string' },
      transcript: { type: 'string' },
      serves: { type: 'string', default: 'all' },
      quirk: { type: 'string', multiple: true, default: [] },
      'structured-outputs': { type: 'string', default: 'json_schema' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.info(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  const profile = values['latency-profile'];
  if (!(profile in LATENCY_PROFILES))
    throw new Error(`--latency-profile must be one of ${Object.keys(LATENCY_PROFILES).join(', ')}, got ${profile}`);
  const serves = values.serves as StandinServes;
  if (!['all', 'chat', 'transcription'].includes(serves))
    throw new Error(`--serves must be all, chat or transcription, got ${serves}`);
  const quirks = values.quirk as StandinQuirk[];
  const unknown = quirks.filter((quirk) => !STANDIN_QUIRKS.includes(quirk));
  if (unknown.length) throw new Error(`unknown --quirk ${unknown.join(', ')}; one of ${STANDIN_QUIRKS.join(', ')}`);
  const structuredOutputs = values['structured-outputs'] as StructuredOutputs;
  if (!STRUCTURED_OUTPUTS.includes(structuredOutputs))
    throw new Error(`--structured-outputs must be one of ${STRUCTURED_OUTPUTS.join(', ')}, got ${structuredOutputs}`);
  const candidates = values.candidates
    ? (await readFile(values.candidates, 'utf8'))
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    : undefined;

  const standin = await startStandin({
    port,
    latencyProfile: profile as LatencyProfile,
    apiKey: values.key,
    candidates,
    transcript: values.transcript,
    serves,
    quirks,
    structuredOutputs,
  });
  const shape = `${serves === 'all' ? '' : `, ${serves} only`}${quirks.length ? `, quirks ${quirks.join(' ')}` : ''}`;
  console.info(
    `OpenAI stand-in listening on ${standin.url} (key ${standin.apiKey}, latency profile ${profile}${shape}; control API at ${standin.origin}/__control)`,
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.info(`${signal}: closing the stand-in`);
    standin.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`could not close cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`openai-standin: ${(error as Error).message}`);
  console.error(USAGE);
  process.exit(1);
});
