/**
 * npm run soak — many spoken turns in a row in the built extension, to find what only shows after
 * a long session: turns that stop being answered, IndexedDB drifting from the turns made, the
 * microphone left on, memory that grows.
 *
 * Runs `.output/chrome-mv3` (build it first: `npm run build`) in headless Chromium with a fake
 * microphone, against the OpenAI stand-in (fast profile, short replies; it really recognises the
 * three learner sentences, said in turn) and the companion as its own process; the teacher speaks
 * at twice the normal speed (the learner's Speaking speed setting). Each turn goes through the
 * keyboard shortcut (the real commands.onCommand listener, dispatched in the service worker),
 * hands-free off. After every turn: the microphone's live tracks in the recording document. At
 * each quarter of the run: each document's heap after a forced garbage collection, and the
 * companion's resident memory. At the end: IndexedDB against the turns made, the heaps once a New
 * conversation has replaced the long one (what was the conversation on screen), and a verdict per
 * criterion. Exits 1 if any criterion failed, 2 on bad options.
 *
 *   npm run soak -- [--turns 200] [--extension DIR] [--heap-snapshots DIR]
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { EXTENSION_DIR, launch, readDatabase, waitForPhase, configure, type Browser } from '../e2e/harness.ts';
import { setUpStage, type Stage } from '../e2e/fixtures.ts';
import { pressShortcut, type BenchBrowser } from './bench/browser.ts';
import { startCompanionProcess, type CompanionProcess } from './bench/companion-process.ts';
import {
  anyFailed,
  checkDatabase,
  checkpointTurns,
  formatBytes,
  formatChange,
  verdicts,
  type Checkpoint,
  type HeapReading,
  type MicrophoneSample,
} from './soak/analysis.ts';
import { BrowserProbes, companionRss, type MeasuredTarget } from './soak/probes.ts';
import { holdTimes, spokenTurn, type TurnOutcome } from './soak/turn.ts';
import { readOptions } from './lib/options.ts';

const USAGE = `Usage: npm run soak -- [options]     (build first: npm run build)

  --turns N          spoken turns to make (default 200); heaps are measured at each quarter
  --extension DIR    the built extension to run (default .output/chrome-mv3)
  --heap-snapshots DIR  also save heap snapshots at each checkpoint there (compare two with
                     npx tsx script/soak/heap-diff.ts A B, or in DevTools' Memory panel)
  -h, --help         this text

Exits 0 when every criterion passed, 1 when one failed (or the soak could not run), 2 on bad options.
`;

/**
 * The learner's speaking-speed setting: the teacher talks twice as fast, so a turn waits half as
 * long for the voice; the requests and the code they run through are the same.
 */
const TEACHER_SPEED = 2;

/** After this many failed turns in a row the panel is taken to be stuck and the soak stops. */
const GIVE_UP_AFTER = 5;

interface Options {
  turns: number;
  extensionDir: string;
  heapSnapshots: string | undefined;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      turns: { type: 'string' },
      extension: { type: 'string' },
      'heap-snapshots': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const turns = values.turns === undefined ? 200 : Number(values.turns);
  if (!Number.isInteger(turns) || turns < 1)
    throw new Error(`--turns must be a whole number ≥ 1, got "${values.turns}"`);
  const snapshots = values['heap-snapshots'];
  return {
    turns,
    extensionDir: path.resolve(values.extension ?? EXTENSION_DIR),
    heapSnapshots: snapshots === undefined ? undefined : path.resolve(snapshots),
  };
}

const elapsed = (since: number): string => {
  const s = Math.round((performance.now() - since) / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
};

async function setSpeakingSpeed(page: Page, speed: number): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Speaking speed').fill(String(speed));
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });
}

/**
 * The heaps once the learner starts a new conversation and closes the ended one's session card:
 * what the soak's conversation on screen held goes, what leaked per turn stays.
 */
async function heapsOnceConversationEnds(
  panel: Page,
  probes: BrowserProbes,
  snapshotDir: string | undefined,
): Promise<Record<MeasuredTarget, HeapReading> | undefined> {
  try {
    await panel.getByRole('button', { name: 'New conversation' }).click();
    await panel.locator('.session-card').getByRole('button', { name: 'Close' }).click({ timeout: 15_000 });
    await panel.locator('.message').nth(1).waitFor({ state: 'detached', timeout: 15_000 });
    await panel.locator('.message-assistant').first().waitFor({ timeout: 30_000 });
    await waitForPhase(panel, 'idle', 60_000);
    const heaps = await probes.heapsAfterGc();
    if (snapshotDir) await saveSnapshots(probes, snapshotDir, 'after-new-conversation');
    return heaps;
  } catch (error) {
    console.warn(`could not measure after a new conversation: ${error instanceof Error ? error.message : error}`);
    return undefined;
  }
}

async function checkpoint(
  turn: number,
  probes: BrowserProbes,
  companion: CompanionProcess,
  snapshotDir: string | undefined,
): Promise<Checkpoint> {
  const reading = { turn, heaps: await probes.heapsAfterGc(), companionRssBytes: await companionRss(companion.pid) };
  if (snapshotDir) await saveSnapshots(probes, snapshotDir, `turn-${String(turn).padStart(3, '0')}`);
  return reading;
}

async function saveSnapshots(probes: BrowserProbes, dir: string, prefix: string): Promise<void> {
  // The recording document's heap is the side panel's (one renderer): its snapshot would be the same one.
  for (const target of ['side panel', 'service worker'] as const) {
    await probes.heapSnapshot(target, path.join(dir, `${prefix}-${target.replace(/ /g, '-')}.heapsnapshot`));
  }
}

function describeCheckpoint(c: Checkpoint): string {
  const heaps = Object.entries(c.heaps)
    .map(([target, reading]) => `${target} ${formatBytes(reading.usedBytes)}`)
    .join(', ');
  const rss = c.companionRssBytes === undefined ? 'unknown' : formatBytes(c.companionRssBytes);
  return `heap after GC at turn ${c.turn}: ${heaps}; companion RSS ${rss}`;
}

/** The side panel and the recording document are extension pages in one renderer: one V8 heap. */
function sharedHeapNote(checkpoints: readonly Checkpoint[]): string | undefined {
  const same = checkpoints.every((c) => {
    const a = c.heaps['side panel' satisfies MeasuredTarget]?.usedBytes ?? 0;
    const b = c.heaps['recording document' satisfies MeasuredTarget]?.usedBytes ?? 1;
    return Math.abs(a - b) / Math.max(a, b) < 0.01;
  });
  return same
    ? 'The side panel and the recording document report the same heap (within 1 %): extension pages share one renderer process, so this is one V8 heap for both.'
    : undefined;
}

async function main(): Promise<void> {
  const options = readOptions(parseOptions, USAGE);
  if (!options) return;

  const began = performance.now();
  const companionLog: string[] = [];
  let stage: Stage | undefined;
  let companion: CompanionProcess | undefined;
  let browser: Browser | undefined;
  let probes: BrowserProbes | undefined;
  let stopping = false;
  const cleanup = async () => {
    await probes?.close();
    await browser?.close().catch(() => undefined);
    await Promise.allSettled([stage?.close(), companion?.close()]);
  };
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    console.warn('interrupted: closing the browser and servers');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (options.heapSnapshots) await mkdir(options.heapSnapshots, { recursive: true });
    stage = await setUpStage({ latencyProfile: 'fast', replyWords: 1 });
    // The soak's companion is a process of its own, whose memory can be read; the stage's own
    // (in this Node process) is not used.
    await stage.companion.close();
    companion = await startCompanionProcess('espeak', (line) => {
      companionLog.push(line);
      if (companionLog.length > 50) companionLog.shift();
    });
    browser = await launch({ micFile: stage.mic, extensionDir: options.extensionDir });
    const panel = await browser.openPanel();
    const warnings: string[] = [];
    panel.on('console', (message) => {
      if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
    });
    const bench: BenchBrowser = {
      context: browser.context,
      extensionId: browser.extensionId,
      panel,
      serviceWorker: browser.serviceWorker,
      close: () => browser!.close(),
    };
    // Before the key: with the key saved, the teacher's opening question is spoken at once.
    await setSpeakingSpeed(panel, TEACHER_SPEED);
    await configure(panel, {
      apiKey: stage.standin.apiKey,
      apiBaseUrl: stage.standin.url,
      companionUrl: companion.url,
      handsFree: false,
    });
    // The teacher's opening question is spoken first: the recording document exists from then on.
    await panel.locator('.message-assistant').first().waitFor({ timeout: 30_000 });
    await waitForPhase(panel, 'idle', 60_000);
    probes = new BrowserProbes(await browser.context.newPage());
    // Counting starts before the first turn opens the microphone.
    if ((await probes.liveMicrophoneTracks()) !== 0) throw new Error('the microphone is live before the first turn');
    const hold = await holdTimes(stage);
    const atStart = await checkpoint(0, probes, companion, options.heapSnapshots);
    console.info(`soak: ${options.turns} turns through the keyboard shortcut, hands-free off`);
    console.info(`  ${describeCheckpoint(atStart)} (before the first turn; not judged)`);

    const planned = new Set(checkpointTurns(options.turns));
    const checkpoints: Checkpoint[] = [];
    const outcomes: TurnOutcome[] = [];
    let failedInARow = 0;
    for (let turn = 1; turn <= options.turns && !stopping; turn++) {
      const outcome = await spokenTurn(turn, bench, stage, probes, hold);
      outcomes.push(outcome);
      if (outcome.answered) failedInARow = 0;
      else {
        failedInARow++;
        console.warn(`  turn ${turn} not answered: ${outcome.problem ?? 'unknown'}`);
        // A recording the stop press never reached would keep every later turn from starting.
        if ((await panel.locator('.talk-status [role=status]').getAttribute('data-phase')) === 'recording') {
          await pressShortcut(bench).catch(() => undefined);
        }
        if (failedInARow >= GIVE_UP_AFTER) {
          console.error(`  ${GIVE_UP_AFTER} turns in a row were not answered: the soak stops here`);
          break;
        }
      }
      if (turn % 10 === 0 || turn === options.turns) {
        const answered = outcomes.filter((o) => o.answered).length;
        const leftOn = outcomes.filter((o) => o.microphone.liveBetweenTurns > 0).length;
        const last = outcomes.slice(-10);
        const meanS = last.reduce((sum, o) => sum + o.ms, 0) / last.length / 1000;
        console.info(
          `turn ${turn}/${options.turns}: ${answered} answered, microphone left live after ${leftOn}, ${meanS.toFixed(1)} s a turn lately, ${elapsed(began)} elapsed`,
        );
      }
      if (planned.has(turn)) {
        const reading = await checkpoint(turn, probes, companion, options.heapSnapshots);
        checkpoints.push(reading);
        console.info(`  ${describeCheckpoint(reading)}`);
      }
    }

    const db = await readDatabase(panel);
    const afterNewConversation = await heapsOnceConversationEnds(panel, probes, options.heapSnapshots);
    const turnsMade = outcomes.length;
    const turnsAnswered = outcomes.filter((o) => o.answered).length;
    const database = checkDatabase(db, turnsMade);
    const microphone: MicrophoneSample[] = outcomes.map((o) => o.microphone);
    const list = verdicts({ turnsMade, turnsAnswered, database, microphone, checkpoints });

    console.info('');
    console.info('── soak ─────────────────────────────────────────────────────────────────────');
    console.info(
      `machine    ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, load ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
    console.info(
      `turns      ${turnsMade} made, ${turnsAnswered} answered in ${elapsed(began)}; transcripts that differed from the sentence said: ${outcomes.filter((o) => o.misheard).length}`,
    );
    console.info(
      `IndexedDB  ${db.messages.length} messages (${database.learnerMessages} learner, ${database.replies} replies), ${database.recordings} recordings, ${db.conversations.length} conversation(s)`,
    );
    for (const problem of database.problems.slice(0, 10)) console.info(`           ${problem}`);
    console.info(
      `microphone live while recording: ${[...new Set(microphone.map((m) => m.liveWhileRecording))].join(', ')}; recording document probed ${probes.microphoneProbeInstalls} time(s)`,
    );
    console.info('heaps after GC (used), and the companion server process resident memory:');
    for (const c of [atStart, ...checkpoints]) console.info(`  ${describeCheckpoint(c)}`);
    const firstRss = checkpoints[0]?.companionRssBytes;
    const lastRss = checkpoints.at(-1)?.companionRssBytes;
    if (firstRss !== undefined && lastRss !== undefined && checkpoints.length > 1) {
      console.info(
        `  companion RSS, turn ${checkpoints[0]!.turn} → ${checkpoints.at(-1)!.turn}: ${formatChange((lastRss - firstRss) / firstRss)} (reported, not judged)`,
      );
    }
    if (afterNewConversation) {
      const heaps = Object.entries(afterNewConversation)
        .map(([target, reading]) => `${target} ${formatBytes(reading.usedBytes)}`)
        .join(', ');
      console.info(`  after New conversation (only its opening question on screen): ${heaps} (reported, not judged)`);
    }
    const note = sharedHeapNote([atStart, ...checkpoints]);
    if (note) console.info(`  ${note}`);
    console.info(
      `panel console warnings and errors: ${warnings.length}${warnings.length ? ` (first: ${warnings[0]!.slice(0, 200)})` : ''}`,
    );
    console.info('');
    for (const v of list) {
      const mark = v.pass === null ? 'n/a ' : v.pass ? 'PASS' : 'FAIL';
      console.info(`${mark}  ${v.criterion}: ${v.detail}`);
    }
    if (anyFailed(list)) process.exitCode = 1;
  } catch (error) {
    console.error(`The soak could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (companionLog.length) console.error(`companion log (last lines):\n${companionLog.slice(-10).join('\n')}`);
    process.exitCode = 1;
  } finally {
    if (!stopping) await cleanup();
  }
}

await main();
