import { ConfigError, USAGE, parseConfig } from './config.ts';
import { errorMessage } from './errors.ts';
import { startCompanion, type CompanionHandle } from './server.ts';

/** After a stop signal, the longest the process waits for in-flight work before it exits anyway. */
const SHUTDOWN_DEADLINE_MS = 6_000;

function fail(message: string): never {
  console.error(`AITalk companion: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2));
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : errorMessage(error));
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { config, warnings } = parsed;
  for (const warning of warnings) console.warn(`AITalk companion: warning: ${warning}`);

  let handle: CompanionHandle | undefined;
  try {
    handle = await startCompanion(config);
    // A missing coqui-tts or Python is known within moments: report it alone, not after a "listening" line.
    await handle.started;
  } catch (error) {
    await handle?.close().catch(() => {});
    fail(errorMessage(error));
  }
  // Callers (the e2e suite, the bench, scripts) parse this exact line to find the port.
  console.info(`AITalk companion listening on ${handle.url}`);
  const natural = config.engine === 'piper' || config.engine === 'kokoro';
  const source = config.voiceFile ? `from ${config.voiceFile}` : `voices in ${config.voicesDir}`;
  console.info(
    `engine ${config.engine}${config.engine === 'espeak' ? '' : ` (${config.model})`}` +
      `${natural ? ` (${source}; eSpeak speaks until it is ready)` : ''}` +
      `${config.token ? ', token required' : ''}; cache ${config.cacheMaxMb > 0 ? config.cacheDir : 'off'}; Ctrl+C stops it`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.warn(`AITalk companion: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.info(`AITalk companion: ${signal} received, finishing in-flight requests`);
    // unref: the deadline must not itself keep a finished process alive.
    setTimeout(() => {
      console.error('AITalk companion: shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    handle.close().then(
      () => {
        console.info('AITalk companion: stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`AITalk companion: error while stopping: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  handle.stt?.ready.then(
    () => console.info(`AITalk companion transcribes: POST ${handle.url}/v1/audio/transcriptions`),
    // Speech goes on; the reason is already in the log and in GET /health's stt.message.
    () => console.warn('AITalk companion: transcription is off (see the line above); speech goes on'),
  );
  handle.ready.then(
    () => {
      const engine = handle.engine;
      console.info(`AITalk companion ready: ${engine.voices().length} voices, default "${engine.defaultVoice()}"`);
    },
    async (error: unknown) => {
      // The engine can never speak (coqui-tts missing, model failed to load): say why in one line and leave.
      await handle.close().catch(() => {});
      fail(errorMessage(error));
    },
  );
}

void main();
