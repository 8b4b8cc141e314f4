import type { Page } from 'playwright-core';

/**
 * A look inside the offscreen document, which Playwright does not list as a page: evaluate
 * JavaScript in it over the DevTools protocol, and count its microphone tracks, audio contexts
 * and playback sources. Used by script/check-offscreen.ts and the e2e suite.
 */

/** Evaluates JavaScript in the offscreen document and returns the (JSON) result. */
export type Evaluator = <T>(expression: string) => Promise<T>;

/**
 * Playwright lists offscreen documents neither as pages nor as background pages; CDP sees them
 * as targets of type "background_page", reachable with Target.attachToTarget.
 */
export async function attachToOffscreen(page: Page): Promise<Evaluator> {
  return attachToTarget(page, '/offscreen.html');
}

/** The URLs of every DevTools target (pages, workers, side panels, offscreen documents). */
export async function targetUrls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  await cdp.detach();
  return targetInfos.map((t) => t.url);
}

/**
 * Evaluates JavaScript in the target whose URL ends with `urlSuffix`: also the real side panel
 * (`/sidepanel.html`), which Playwright does not list as a page either.
 */
export async function attachToTarget(page: Page, urlSuffix: string): Promise<Evaluator> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.url.endsWith(urlSuffix));
  if (!target) throw new Error(`no target whose URL ends with ${urlSuffix}`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let next = 1;
  const pending = new Map<
    number,
    (message: { result?: { result?: { value?: unknown }; exceptionDetails?: unknown } }) => void
  >();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as {
      id?: number;
      result?: { result?: { value?: unknown }; exceptionDetails?: unknown };
    };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  return async <T>(expression: string): Promise<T> => {
    const id = next++;
    const reply = new Promise<{ result?: { result?: { value?: unknown }; exceptionDetails?: unknown } }>((resolve) =>
      pending.set(id, resolve),
    );
    await cdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({
        id,
        method: 'Runtime.evaluate',
        params: { expression, awaitPromise: true, returnByValue: true },
      }),
    });
    const message = await reply;
    if (message.result?.exceptionDetails)
      throw new Error(`evaluation in ${urlSuffix} failed: ${JSON.stringify(message.result.exceptionDetails)}`);
    return message.result?.result?.value as T;
  };
}

/** Watches the offscreen document's microphone streams, audio contexts and playback sources. */
export async function instrument(offscreen: Evaluator): Promise<void> {
  // Plain JavaScript: a function's source would carry the TypeScript compiler's helpers with it.
  await offscreen(`(() => {
    const streams = [], contexts = [], sources = [];
    Object.assign(window, { __streams: streams, __contexts: contexts, __sources: sources });
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      streams.push(stream);
      return stream;
    };
    const OriginalContext = AudioContext;
    // The microphone's audio graphs (those fed by a stream), as opposed to the speakers' context.
    const createMediaStreamSource = OriginalContext.prototype.createMediaStreamSource;
    OriginalContext.prototype.createMediaStreamSource = function (...args) {
      this.__microphone = true;
      return createMediaStreamSource.apply(this, args);
    };
    window.AudioContext = class extends OriginalContext {
      constructor(...args) { super(...args); contexts.push(this); }
    };
    const createBufferSource = OriginalContext.prototype.createBufferSource;
    OriginalContext.prototype.createBufferSource = function () {
      const node = createBufferSource.call(this);
      const record = {};
      sources.push(record);
      const start = node.start.bind(node), stop = node.stop.bind(node);
      node.start = (...a) => { record.startedAt = performance.timeOrigin + performance.now(); start(...a); };
      node.stop = (...a) => { record.stoppedAt = performance.timeOrigin + performance.now(); stop(...a); };
      return node;
    };
  })()`);
}

/** The microphone's live tracks, and the state of each audio graph that listened to it. */
export async function microphoneState(
  offscreen: Evaluator,
): Promise<{ liveTracks: number; streams: number; contexts: string[] }> {
  return offscreen(`({
    streams: window.__streams.length,
    liveTracks: window.__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length,
    contexts: window.__contexts.filter((c) => c.__microphone).map((c) => c.state),
  })`);
}
