// A TF.js-style custom loop for trainer.loadStep: linear regression with optimizer.minimize
// on variables the module owns (no model involved). Returns the loss and the variables.

export function setup({ fe, options }) {
  return {
    w: fe.variable(fe.zeros([options.features, 1])),
    b: fe.variable(fe.zeros([1])),
    optimizer: fe.train.sgd(options.learningRate),
  };
}

export function step({ fe, state }, { x, y }) {
  const { w, b, optimizer } = state;
  const cost = optimizer.minimize(() => fe.mean(fe.square(fe.sub(fe.add(fe.matMul(x, w), b), y))), true, [w, b]);
  const loss = cost.dataSync()[0];
  cost.dispose();
  return { loss, w, b };
}
