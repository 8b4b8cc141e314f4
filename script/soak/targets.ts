import type { CDPSession, Page } from 'playwright-core';

/**
 * Any DevTools target of the browser (the side panel, the offscreen document, the service worker),
 * driven with any DevTools command. Playwright lists neither the offscreen document nor the service
 * worker as something it can open a session on, so the commands travel inside one page's session
 * (Target.attachToTarget without flatten, as e2e/offscreen-probe.ts does for Runtime.evaluate).
 */
export interface TargetSession {
  targetId: string;
  url: string;
  type: string;
  /** False once the target is gone (a document closed, a worker stopped). */
  readonly attached: boolean;
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Calls `handler` with the params of each `method` event the target sends; returns the unsubscribe. */
  on(method: string, handler: (params: Record<string, unknown>) => void): () => void;
  /** Evaluates an expression (plain JavaScript) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  detach(): Promise<void>;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

interface Reply {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message?: string };
}

export async function listTargets(cdp: CDPSession): Promise<TargetInfo[]> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  return targetInfos;
}

/** Opens a session on the target whose URL ends with `urlSuffix`, through `page`'s own session. */
export async function attachTarget(page: Page, urlSuffix: string): Promise<TargetSession> {
  const cdp = await page.context().newCDPSession(page);
  const target = (await listTargets(cdp)).find((t) => t.url.endsWith(urlSuffix));
  if (!target) {
    await cdp.detach();
    throw new Error(`no DevTools target whose URL ends with ${urlSuffix}`);
  }
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let attached = true;
  let next = 1;
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  const listeners = new Set<{ method: string; handler: (params: Record<string, unknown>) => void }>();
  const gone = (why: string) => {
    attached = false;
    for (const { reject } of pending.values()) reject(new Error(`${urlSuffix}: ${why}`));
    pending.clear();
  };
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const reply = JSON.parse(event.message) as Reply;
    if (reply.id === undefined) {
      for (const l of listeners) if (l.method === reply.method) l.handler(reply.params ?? {});
      return;
    }
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId === sessionId) gone('the target went away');
  });

  const send = async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    if (!attached) throw new Error(`${urlSuffix}: the target went away`);
    const id = next++;
    const reply = new Promise<Reply>((resolve, reject) => pending.set(id, { resolve, reject }));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    const answer = await reply;
    if (answer.error) throw new Error(`${urlSuffix}: ${method} failed: ${answer.error.message ?? 'unknown error'}`);
    return answer.result as T;
  };

  return {
    targetId: target.targetId,
    url: target.url,
    type: target.type,
    get attached() {
      return attached;
    },
    send,
    on(method, handler) {
      const listener = { method, handler };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async evaluate<T>(expression: string): Promise<T> {
      const result = await send<{ result?: { value?: unknown }; exceptionDetails?: unknown }>('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      });
      if (result.exceptionDetails)
        throw new Error(`evaluation in ${urlSuffix} failed: ${JSON.stringify(result.exceptionDetails)}`);
      return result.result?.value as T;
    },
    async detach() {
      gone('detached');
      await cdp.detach().catch(() => undefined);
    },
  };
}
