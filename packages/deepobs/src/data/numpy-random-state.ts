/**
 * numpy's legacy `np.random.RandomState(seed)`, bit for bit, for the draws DeepOBS makes with it: MT19937 seeded by
 * `init_genrand`, `random_sample` (53-bit doubles from two 32-bit words) and `normal` (the polar method, whose second
 * value is kept for the next call, also across calls). DeepOBS's quadratic and 2-D data sets are such draws, so
 * matching them makes our test losses comparable with the published baselines.
 */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(624);
  private index = 624;
  private spareGauss: number | undefined;

  /** `seed`: an integer in [0, 2³²), as RandomState accepts it. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`NumpyRandomState: the seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** The next 32-bit word of MT19937. */
  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random_sample()`: uniform in [0, 1) from 27 + 26 bits of two words. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `standard_normal()` of the legacy generator (polar method; returns f·x2 and keeps f·x1 for the next call). */
  standardNormal(): number {
    if (this.spareGauss !== undefined) {
      const kept = this.spareGauss;
      this.spareGauss = undefined;
      return kept;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.spareGauss = f * x1;
    return f * x2;
  }

  /** `normal(loc, scale, size=count)`: loc + scale·z per value, in numpy's (row-major) order. */
  normal(loc: number, scale: number, count: number): Float64Array {
    if (!(scale >= 0)) throw new RangeError(`NumpyRandomState.normal: scale must be ≥ 0, got ${scale}`);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = loc + scale * this.standardNormal();
    return out;
  }

  /** Regenerates the 624 words of state (in place, in order, as the reference implementation). */
  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

/** `np.float32(RandomState(seed).normal(0, std, (count, dim)))`: how DeepOBS draws its quadratic data. */
export function numpyNormalRows(seed: number, count: number, dim: number, std: number): { data: Float32Array; count: number } {
  return { data: Float32Array.from(new NumpyRandomState(seed).normal(0, std, count * dim)), count };
}
