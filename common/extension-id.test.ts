import { describe, expect, it } from 'vitest';
import { AITALK_EXTENSION_ID, AITALK_EXTENSION_KEY, extensionIdFromKey } from './extension-id.ts';

describe('the stable development extension id', () => {
  it('is the id Chrome derives from the manifest key', () => {
    expect(extensionIdFromKey(AITALK_EXTENSION_KEY)).toBe(AITALK_EXTENSION_ID);
  });

  it('gives another key another id, so a build without our key is not trusted by default', () => {
    const other = Buffer.alloc(294, 7).toString('base64');
    expect(extensionIdFromKey(other)).toMatch(/^[a-p]{32}$/);
    expect(extensionIdFromKey(other)).not.toBe(AITALK_EXTENSION_ID);
  });
});
