import { describe, expect, test } from 'vitest';
import { confirmedTwice, twoPlaces } from './sharing.js';

const home = { network: '203.0.113.7', at: 1_000_000 };
const room = { network: '198.51.100.20', at: 1_000_000 };
const later = (use: { network: string; at: number }, ms: number) => ({ ...use, at: use.at + ms });

describe('one phone, one place, one moment', () => {
  test('two networks within the window are two places; the same network, or a use past the window, are not', () => {
    expect(twoPlaces(room, later(home, 60_000), 300_000)).toEqual({ kind: 'two_places', uses: [room, later(home, 60_000)] });
    expect(twoPlaces(room, later(room, 60_000), 300_000)).toBeNull();
    expect(twoPlaces(room, later(home, 300_001), 300_000)).toBeNull();
    expect(twoPlaces(null, home, 300_000)).toBeNull();
  });

  test('a round confirmed again from another network is confirmed twice; from the same network it is a repeat', () => {
    expect(confirmedTwice(room, later(home, 5_000))).toEqual({ kind: 'confirmed_twice', uses: [room, later(home, 5_000)] });
    expect(confirmedTwice(room, later(room, 5_000))).toBeNull();
    expect(confirmedTwice(null, home)).toBeNull();
  });
});
