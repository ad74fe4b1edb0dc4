// The `browser` namespace, as TF.js's `tf.browser`: pixels of images, canvases and video
// frames to tensors and back.

export { fromPixels, toPixels, type FromPixelsInput, type PixelData } from './pixels.js';
