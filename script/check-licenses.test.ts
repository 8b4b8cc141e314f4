import { describe, expect, it } from 'vitest';
import { EXCEPTIONS, isAllowedExpression } from './check-licenses.ts';

describe('licence allow list', () => {
  it.each([
    ['MIT', true],
    ['(MIT OR CC0-1.0)', true],
    ['(MIT AND Zlib)', true],
    ['(BSD-3-Clause OR GPL-2.0)', true],
    ['GPL-3.0', false],
    ['(MIT AND GPL-3.0)', false],
    ['LGPL-3.0', false],
    ['UNLICENSED', false],
    ['UNKNOWN', false],
  ])('%s allowed: %s', (expression, allowed) => {
    expect(isAllowedExpression(expression)).toBe(allowed);
  });

  it('lets the copyleft packages in by name only, and only for the companion', () => {
    const copyleft = Object.entries(EXCEPTIONS).filter(([, exception]) => /GPL/.test(exception.license));
    expect(copyleft.map(([name]) => name).sort()).toEqual(['@breezystack/lamejs', '@echogarden/espeak-ng-emscripten']);
    expect(copyleft.every(([, exception]) => exception.companionOnly)).toBe(true);
  });
});
