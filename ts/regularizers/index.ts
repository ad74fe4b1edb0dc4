// Weight regularizers, like `tf.regularizers`: `regularizers.l2({l2: 1e-4})` as a layer's
// kernelRegularizer adds l2 * sum w^2 to the training loss.

export { l1, l2, l1l2, type L1L2Args, type Regularizer, type RegularizerIdentifier } from './regularizer.js';
