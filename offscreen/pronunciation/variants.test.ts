import { describe, expect, it } from 'vitest';
import { decimal, grammarFor, tokenFor, variantsOf, wordsOf } from './variants';

describe('the words of a practice text', () => {
  it('are looked up lower-case without punctuation, curly apostrophes made straight, as written for the learner', () => {
    expect(wordsOf('“Don’t go,” she said — twice!')).toEqual([
      { text: 'Don’t', key: "don't" },
      { text: 'go', key: 'go' },
      { text: 'she', key: 'she' },
      { text: 'said', key: 'said' },
      { text: 'twice', key: 'twice' },
    ]);
  });
});

describe('the mispronunciations the judge listens for', () => {
  const said = (phones: string) => variantsOf(phones.split(' ')).map((v) => v.phones.join(' '));

  it('say each hard sound as each sound it is confused with: "think" as sink, fink, tink', () => {
    const think = variantsOf(['TH', 'IH', 'NG', 'K']);
    expect(think.filter((v) => v.sound === 'th-voiceless').map((v) => [v.phones.join(' '), v.heard])).toEqual([
      ['S IH NG K', 'S'],
      ['F IH NG K', 'F'],
      ['T IH NG K', 'T'],
    ]);
    expect(think.find((v) => v.sound === 'short-i')?.phones).toEqual(['TH', 'IY', 'NG', 'K']);
  });

  it('leave out the final consonant of a word of three sounds or more, never of a shorter one ("at" is not "a")', () => {
    expect(variantsOf(['K', 'AA', 'R', 'D']).filter((v) => v.sound === 'final-consonant')).toEqual([
      { phones: ['K', 'AA', 'R'], position: 3, sound: 'final-consonant', kind: 'dropped' },
    ]);
    expect(variantsOf(['AE', 'T']).some((v) => v.kind === 'dropped')).toBe(false);
  });

  it('reduce an opening consonant cluster either way: "stop" as top and sop, "play" as pay', () => {
    expect(said('S T AA P')).toEqual(expect.arrayContaining(['T AA P', 'S AA P']));
    expect(said('P L EY')).toEqual(expect.arrayContaining(['P EY']));
    expect(variantsOf(['S', 'T', 'AA', 'P']).find((v) => v.phones.join(' ') === 'T AA P')?.sound).toBe(
      'consonant-cluster',
    );
  });

  it('never repeat the written pronunciation or each other', () => {
    const all = said('L IH L IY');
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain('L IH L IY');
  });
});

describe('the grammar', () => {
  it('weighs a substitution by its own pair when given one, leaves out a pair weighted Infinity', () => {
    const bad = { phones: ['B', 'AE', 'D'], variants: variantsOf(['B', 'AE', 'D']) };
    const very = { phones: ['V', 'EH', 'R', 'IY'], variants: variantsOf(['V', 'EH', 'R', 'IY']) };
    const grammar = grammarFor([bad, very], {
      substituted: 1e3,
      dropped: 1e30,
      pairs: { 'AE>EH': 1e5, 'V>B': Infinity },
    });
    expect(grammar).toContain('/0.00001/ p_b_eh_d');
    expect(grammar).toContain('/0.001/ p_w_eh_r_iy');
    expect(grammar).not.toContain('p_b_eh_r_iy');
  });

  it('offers each word as written (weight 1) or as a variant weighted down by its kind, in plain decimals', () => {
    const grammar = grammarFor(
      [
        { phones: ['AY'], variants: [] },
        { variants: [] },
        { phones: ['B', 'AE', 'D'], variants: variantsOf(['B', 'AE', 'D']) },
      ],
      { substituted: 1e3, dropped: 1e30 },
    );
    expect(grammar).toContain('public <attempt> = <w0> <w2>;');
    expect(grammar).toContain(`<w0> = /1/ ${tokenFor(['AY'])};`);
    expect(grammar).toContain('/0.001/ p_b_eh_d');
    expect(grammar).toContain(`/${decimal(1e-30)}/ p_b_ae`);
    expect(grammar).not.toMatch(/e[+-]\d/);
    expect(decimal(1e-30)).toBe(`0.${'0'.repeat(29)}1`);
  });
});
