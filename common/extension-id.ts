// SPDX-License-Identifier: MIT
// Shared with the extension's build (wxt.config.ts), which is MIT: see companion-server/README.md, "Licence".
import { createHash } from 'node:crypto';

/**
 * The public half of AITalk's development signing key, as the manifest's `key`. Chrome derives an unpacked
 * extension's id from it, so every development build — and the e2e suite's — has the same id, and the companion
 * can trust that one origin by default. The private half was never kept: loading an unpacked extension needs only
 * this public key, and the Chrome Web Store signs the published extension with a key of its own.
 */
export const AITALK_EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwLZm7wricbzzxn9/mp3fhsfUVTARAY+YVlCTYh6lSHMmqrEFybomS8gDPnRNv90Egm8P6Uub8tS+Q8HrsW/fnrOM3w7Rm3UHow++dT8JKolF9HFaCakse9cqOFjhXr+FizKTkjLKrBklHGCyGzp7+VMBnObPSbl2qf+yr0b8wv5a0ObAIGVdXG1HqmQhsKg1d9KxhTAz4cci6t8gFSVhqGybcPKEuzp0FxItYQFYsAeEo0ROdaYVKUdT7bm1Vk/PdXBvKzcbz2WXn30Z67LGHpydNzg3oiIy4rejXjf8RLk460oxbYDJ6v4UpaseuCZ+DWkJsg8g8XHh9DgA4FCSrQIDAQAB';

/** The id Chrome gives a build carrying AITALK_EXTENSION_KEY (checked against the key by extension-id.test.ts). */
export const AITALK_EXTENSION_ID = 'gnffcogcklmplhdjnmbjpbkhgffnfaka';

/** Chrome's rule: the first 128 bits of SHA-256 of the DER public key, each hex digit 0-f written as a-p. */
export function extensionIdFromKey(base64Key: string): string {
  const digest = createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 32);
  return [...digest].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}
