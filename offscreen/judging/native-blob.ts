/**
 * What the build gives soundswallower for its `blob-polyfill` import (wxt.config.ts): the browser's own Blob.
 * The polyfill reads `document` when it loads, which a worker does not have, and every browser AITalk runs in
 * has Blob.
 */
export const Blob = globalThis.Blob;
