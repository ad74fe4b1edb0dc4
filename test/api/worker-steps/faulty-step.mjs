// A step module whose step fails as asked (for the error tests): throws, or returns a function.
export function step(_ctx, _inputs, args) {
  if (args.fail === 'throw') throw new Error('the discriminator exploded');
  if (args.fail === 'function') return { loss: 1, callback: () => 0 };
  return { ok: true };
}
