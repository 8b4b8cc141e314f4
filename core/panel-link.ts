import { t } from './i18n';
import { OFFSCREEN_CLOSING, PANEL_PORT_PREFIX, sendMessage } from './messages';

/**
 * The panel's link to the offscreen document, which records and plays for it. The panel holds a
 * port open to the document for as long as it lives; the document learns from the port's
 * disconnect that the panel closed or crashed, and stops what that panel owned (a message from
 * a closing page is not guaranteed to be sent; a port's disconnect is).
 */

const HELLO = 'hello';
/** How long a new port waits for the document's hello before the call goes ahead anyway. */
const HELLO_TIMEOUT_MS = 1_000;

/** Errors that mean "the document is not there (yet, or any more)": ensure it and try once more. */
function documentGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message.includes(OFFSCREEN_CLOSING) ||
    /Receiving end does not exist|Could not establish connection|message port closed/i.test(message)
  );
}

/** What the learner sees instead of Chrome's own words when the document cannot be reached. */
export class RecorderUnavailableError extends Error {
  constructor(cause: unknown) {
    super(t('recorder.unavailable'), { cause });
    this.name = 'RecorderUnavailableError';
  }
}

export interface PanelLink {
  readonly panelId: string;
  /** Creates the document if needed and connects to it. */
  ensure(): Promise<void>;
  /** Runs a request to the document, ensuring it first, and once more if it had just gone away. */
  call<T>(request: () => Promise<T>): Promise<T>;
  close(): void;
}

export function createPanelLink(panelId: string = crypto.randomUUID()): PanelLink {
  let port: chrome.runtime.Port | undefined;
  let connected: Promise<void> | undefined;

  function connect(): Promise<void> {
    const opened = chrome.runtime.connect({ name: `${PANEL_PORT_PREFIX}${panelId}` });
    port = opened;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, HELLO_TIMEOUT_MS);
      opened.onMessage.addListener((message: unknown) => {
        if (message === HELLO) {
          clearTimeout(timer);
          resolve();
        }
      });
      opened.onDisconnect.addListener(() => {
        // The document closed (idle) or was not there: connect again with the next request.
        // Reading lastError marks it handled, so Chrome does not log it as unchecked.
        void chrome.runtime.lastError;
        clearTimeout(timer);
        if (port === opened) {
          port = undefined;
          connected = undefined;
        }
        resolve();
      });
    });
  }

  async function ensure(): Promise<void> {
    await sendMessage('background:ensure-offscreen');
    connected ??= connect();
    await connected;
  }

  return {
    panelId,
    ensure,
    async call<T>(request: () => Promise<T>): Promise<T> {
      try {
        // While the port is open the document is there: no round trip to the service worker on
        // the way to a barge-in or a sentence. Its closing disconnects the port. Every request
        // waits on the same connection, so requests leave in the order they were made.
        if (connected) await connected;
        else await ensure();
        return await request();
      } catch (error) {
        if (!documentGone(error)) throw error;
        try {
          port?.disconnect();
          port = undefined;
          connected = undefined;
          await ensure();
          return await request();
        } catch (again) {
          throw documentGone(again) ? new RecorderUnavailableError(again) : again;
        }
      }
    },
    close() {
      port?.disconnect();
      port = undefined;
      connected = undefined;
    },
  };
}

/**
 * The document's side: calls `onGone` when a panel's port disconnects (the panel closed,
 * reloaded or crashed). Greets each new port so the panel knows it is heard before it records.
 */
export function watchPanels(onGone: (panelId: string) => Promise<void>): void {
  chrome.runtime.onConnect.addListener((port) => {
    if (!port.name.startsWith(PANEL_PORT_PREFIX)) return;
    const panelId = port.name.slice(PANEL_PORT_PREFIX.length);
    port.postMessage(HELLO);
    port.onDisconnect.addListener(() => {
      onGone(panelId).catch((error: unknown) => {
        console.error('AITalk offscreen: could not wind up a closed panel’s turn', error);
      });
    });
  });
}
