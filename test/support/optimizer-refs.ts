// Float64 reference update rules of the optimizers (one step for a whole array), as
// Keras writes them (TF.js's for momentum): what the update kernels are checked against.

export interface RefState {
  p: number[];
  slots: Record<string, number[]>;
  t: number;
}
export type RefRule = (s: RefState, g: number[]) => void;
const slot = (s: RefState, name: string) => (s.slots[name] ??= s.p.map(() => 0));

export const sgdRef =
  (lr: number): RefRule =>
  (s, g) => {
    s.p = s.p.map((p, i) => p - lr * g[i]);
  };
export const momentumRef =
  (lr: number, m: number, nesterov: boolean): RefRule =>
  (s, g) => {
    const a = slot(s, 'momentum');
    g.forEach((gi, i) => {
      a[i] = m * a[i] + gi;
      s.p[i] -= lr * (nesterov ? gi + m * a[i] : a[i]);
    });
  };
export const adamRef =
  (lr: number, b1: number, b2: number, eps: number): RefRule =>
  (s, g) => {
    const m = slot(s, 'm');
    const v = slot(s, 'v');
    s.t++;
    // TF.js's form: the bias corrections divide m and v, epsilon is added after.
    g.forEach((gi, i) => {
      m[i] += (gi - m[i]) * (1 - b1);
      v[i] += (gi * gi - v[i]) * (1 - b2);
      s.p[i] -= (lr * m[i]) / (1 - b1 ** s.t) / (Math.sqrt(v[i] / (1 - b2 ** s.t)) + eps);
    });
  };
export const rmspropRef =
  (lr: number, rho: number, momentum: number, eps: number, centered: boolean): RefRule =>
  (s, g) => {
    const ms = slot(s, 'rms');
    g.forEach((gi, i) => {
      ms[i] = rho * ms[i] + (1 - rho) * gi * gi;
      let denom = ms[i] + eps;
      if (centered) {
        const mg = slot(s, 'mg');
        mg[i] = rho * mg[i] + (1 - rho) * gi;
        denom = ms[i] - mg[i] * mg[i] + eps;
      }
      const inc = (lr * gi) / Math.sqrt(denom);
      if (momentum > 0) {
        const mom = slot(s, 'momentum');
        mom[i] = momentum * mom[i] + inc;
        s.p[i] -= mom[i];
      } else {
        s.p[i] -= inc;
      }
    });
  };
