import { BUILD_SHARE, PanelCache } from '../../src/views/dashboard/panel-cache.js';

describe('PanelCache', () => {
  let clock = 0;
  const cache = new PanelCache(() => clock);
  const selection = { runs: ['a', 'b'], stepBack: 0 };
  let builds = 0;
  const build = (ms: number) => () => {
    builds++;
    clock += ms;
    return { type: 'panels', n: builds };
  };

  it('builds once per data version, shared by viewers of the same selection', () => {
    const first = cache.get(selection, 1, build(10));
    const again = cache.get({ runs: ['a', 'b'], stepBack: 0 }, 1, build(10));
    expect(builds).toBe(1);
    expect(first).toEqual({ message: '{"type":"panels","n":1}', fresh: true });
    expect(again).toEqual({ message: first.message, fresh: false });
    expect(cache.get(selection, 2, build(10)).fresh).toBe(true);
    expect(cache.get({ runs: ['a', 'b'], stepBack: 3 }, 2, build(10)).fresh).toBe(true);
    expect(builds).toBe(3);
  });

  it('spaces pushes of a slow selection by BUILD_SHARE times its build', () => {
    const slow = { runs: ['slow'], stepBack: 0 };
    expect(cache.delay(slow, 150)).toBe(150);
    cache.get(slow, 1, build(500));
    expect(cache.delay(slow, 150)).toBe(BUILD_SHARE * 500);
    cache.get(slow, 2, build(5));
    expect(cache.delay(slow, 150)).toBe(150);
  });

  it('forgets selections nobody watches', () => {
    cache.retain([selection]);
    const before = builds;
    expect(cache.get(selection, 2, build(1)).fresh).toBe(false);
    expect(cache.get({ runs: ['slow'], stepBack: 0 }, 2, build(1)).fresh).toBe(true);
    expect(builds).toBe(before + 1);
  });
});
