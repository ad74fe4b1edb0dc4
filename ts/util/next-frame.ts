// `tf.nextFrame`: yields to the browser (or the event loop) between steps of a long loop.

/**
 * Resolves on the next animation frame in a browser, or the next macrotask elsewhere (`tf.nextFrame`).
 *
 * @example
 * ```ts
 * for (let step = 0; step < 3; step++) {
 *   fe.tidy(() => fe.matMul(fe.ones([8, 8]), fe.ones([8, 8])));
 *   await fe.nextFrame(); // lets the page repaint between steps
 * }
 * ```
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => void }).requestAnimationFrame;
    if (typeof raf === 'function') raf(() => resolve());
    else setTimeout(resolve, 0);
  });
}
