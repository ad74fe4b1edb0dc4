// Loads the model Node saved (served under /model/), predicts the probe inputs here and in
// a worker, and shows both beside Node's predictions. The results are kept in
// window.deployment for test/e2e/browser/deployment.test.ts; window.fe is the package.
import * as fe from '/dist/index.mjs';

window.fe = fe;
const status = document.getElementById('status');
window.deployment = { phase: 'loading', error: null };

try {
  await fe.ready();
  const probe = await (await fetch('/model/probe.json')).json();
  const model = await fe.loadLayersModel('/model/model.json');
  const x = fe.tensor(probe.inputs);
  const page = model.predict(x).arraySync();
  const trainer = await fe.worker.create(model);
  const inWorker = (await trainer.predict(x)).arraySync();
  trainer.terminate();
  Object.assign(window.deployment, {
    phase: 'done',
    backend: fe.getBackend(),
    node: probe.predictions,
    page,
    worker: inWorker,
  });
  const fmt = (row) => row.map((v) => v.toFixed(4)).join(' ');
  document.getElementById('table').innerHTML =
    '<tr><th>input</th><th>Node</th><th>page</th><th>worker</th></tr>' +
    probe.inputs
      .map(
        (inp, i) =>
          `<tr><td>${fmt(inp)}</td><td>${fmt(probe.predictions[i])}</td><td>${fmt(page[i])}</td><td>${fmt(inWorker[i])}</td></tr>`,
      )
      .join('');
  status.textContent = `loaded /model/model.json; predictions on the ${fe.getBackend()} build, in the page and in a worker`;
} catch (e) {
  window.deployment = { phase: 'error', error: String(e && e.stack ? e.stack : e) };
  status.textContent = `error: ${e}`;
}
