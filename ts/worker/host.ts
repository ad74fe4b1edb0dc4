// The worker's side of background training: one model, trained, stopped, queried and
// sent back on request. It runs Ferrite as any program does (the threaded build where
// the runtime allows it) and turns fit's callbacks into events for the caller's thread.

import * as Comlink from 'comlink';
import {
  getBackend,
  getThreadsCount,
  ready,
  relaxedSimdSupported,
  setBackend,
  setThreadsCount,
} from '../backend/engine.js';
import { isNode, isRelaxedBuild, isThreadedBuild, setWasmPaths } from '../backend/wasm-files.js';
import { threadsSupported } from '../backend/threads.js';
import '../layers/index.js'; // registers every layer class, so configs deserialize
import { LayersModel } from '../models/index.js';
import { deserialize } from '../serialization/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from '../optimizers/index.js';
import { BaseCallback, type History, type Logs } from '../training/callbacks.js';
import { memory } from '../tensor/creation.js';
import { TerminateOnNaN } from '../training/terminate-on-nan.js';
import { EarlyStopping } from '../training/early-stopping.js';
import { pickFitOptions } from '../training/fit.js';
import { compileArgsFromSpec } from './compile-spec.js';
import { warmUp } from '../training/warm-up.js';
import { EventQueue } from './events.js';
import type {
  CallbackSpec,
  CrashMode,
  EventSink,
  FitDatasetPayload,
  FitPayload,
  HistoryData,
  HookName,
  InitOptions,
  ModelInfo,
  ModelPayload,
  SavedModel,
  TrainEvent,
  WireFitDatasetOptions,
  WireFitOptions,
  WorkerApi,
  WorkerInfo,
  WorkerStreamStats,
} from './protocol.js';
import { StreamReader, type StreamCounters } from './streamed-dataset.js';
import { TransferList, packResult, unpackTensor, type WireTensor } from './wire.js';
import { ResidentStore, type ResidentStats, type WireData } from './resident.js';
import { importStepModule, packStepResult, type StepContext, type StepModule } from './custom-step.js';
// The whole library, for step modules (ctx.fe): the same engine as the models.
import * as fe from '../index.js';

const WHO = 'ferrite: background trainer';

/** Ends fit at the next batch boundary once the caller asked to stop this fit (by message or shared flag). */
class StopCheck extends BaseCallback {
  constructor(
    private readonly host: TrainerHost,
    private readonly token: number,
  ) {
    super();
  }
  override onBatchEnd(): void {
    if (this.host.stopRequested(this.token)) this.model!.stopTraining = true;
  }
}

/** Forwards the hooks one caller-side callback defines as events; batch events in bursts, others awaited. */
class ForwardingCallback extends BaseCallback {
  private readonly hooks: Set<HookName>;

  constructor(
    private readonly queue: EventQueue,
    private readonly set: number,
    hooks: HookName[],
  ) {
    super();
    this.hooks = new Set(hooks);
  }

  private send(hook: HookName, index: number | undefined, logs: Logs | undefined, wait: boolean): void | Promise<void> {
    if (!this.hooks.has(hook)) return;
    const event: TrainEvent = { set: this.set, hook, index, logs: logs === undefined ? undefined : { ...logs } };
    if (hook === 'onTrainBegin' && this.params !== null) event.params = { ...this.params };
    return wait ? this.queue.sendAndWait(event) : this.queue.post(event);
  }

  override onTrainBegin(logs?: Logs) {
    return this.send('onTrainBegin', undefined, logs, true);
  }
  override onTrainEnd(logs?: Logs) {
    return this.send('onTrainEnd', undefined, logs, true);
  }
  override onEpochBegin(epoch: number, logs?: Logs) {
    return this.send('onEpochBegin', epoch, logs, true);
  }
  override onEpochEnd(epoch: number, logs?: Logs) {
    return this.send('onEpochEnd', epoch, logs, true);
  }
  override onBatchBegin(batch: number, logs?: Logs) {
    return this.send('onBatchBegin', batch, logs, false);
  }
  override onBatchEnd(batch: number, logs?: Logs) {
    return this.send('onBatchEnd', batch, logs, false);
  }
  override wantsBatchHooks(): boolean {
    return this.hooks.has('onBatchBegin') || this.hooks.has('onBatchEnd');
  }
}

const single = (ts: Tensor[]): Tensor | Tensor[] => (ts.length === 1 ? ts[0] : ts);

export class TrainerHost {
  private model: LayersModel | null = null;
  private stopFlag: Int32Array | null = null;
  private stopToken = 0;
  /** Token of the running fit, -1 for a running trainOnBatch or step (0 when idle). */
  private activeToken = 0;
  /** What runs ('fit', 'trainOnBatch', 'step'; '' when idle). */
  private activeOp = '';
  /** The other models (worker.create's `models`), by name. */
  private readonly models = new Map<string, LayersModel>();
  /** The loaded step module and the context its functions get. */
  private stepModule: { url: string; module: StepModule; ctx: StepContext } | null = null;
  /** Data kept between calls (putData), and the count of data bytes received. */
  private readonly resident = new ResidentStore();
  /** What streamed fits received (tests and benches read it). */
  private readonly streamCounters: StreamCounters = { batchesReceived: 0, maxQueued: 0, waits: 0 };

  async init(opts: InitOptions): Promise<WorkerInfo> {
    if (opts.wasmPaths !== undefined) setWasmPaths(opts.wasmPaths);
    if (opts.threads !== undefined) setThreadsCount(opts.threads);
    if (opts.backend !== undefined) {
      if (!(await setBackend(opts.backend))) {
        const why =
          isThreadedBuild(opts.backend) && !threadsSupported()
            ? ': threads need a cross-origin-isolated page (COOP/COEP headers)'
            : isRelaxedBuild(opts.backend) && !relaxedSimdSupported()
              ? ': this runtime lacks relaxed SIMD'
              : '';
        throw new Error(`${WHO}: the ${opts.backend} build cannot run in this worker${why}`);
      }
    } else {
      await ready();
    }
    this.stopFlag = opts.stopFlag ?? null;
    if (opts.warmUpMs !== undefined && opts.warmUpMs > 0) await warmUp({ milliseconds: opts.warmUpMs });
    return {
      backend: getBackend(),
      threads: getThreadsCount(),
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      runtime: isNode ? 'node' : 'browser',
    };
  }

  load(payload: ModelPayload): ModelInfo {
    if (this.model !== null) throw new Error(`${WHO}: this worker already holds a model`);
    const model = buildModel(payload);
    this.model = model;
    return {
      name: model.name,
      metricsNames: model.metricsNames,
      numOutputs: model.isGraphBuilt ? model.outputs.length : 1,
      inputs: model.isGraphBuilt ? model.inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype })) : null,
      inputNames: model.isGraphBuilt ? model.inputNames : null,
      outputs: model.isGraphBuilt ? outputsInfo(model) : null,
    };
  }

  /** More models, by name, for a step module. */
  loadModels(payloads: Record<string, ModelPayload>): void {
    for (const [name, payload] of Object.entries(payloads)) {
      if (this.models.has(name)) throw new Error(`${WHO}: this worker already holds a model named '${name}'`);
      this.models.set(name, buildModel(payload));
    }
  }

  /** Marks the worker busy with `op` for the call's duration (fit, trainOnBatch and step exclude each other). */
  private async exclusive<T>(op: string, token: number, f: () => Promise<T>): Promise<T> {
    if (this.activeToken !== 0)
      throw new Error(`${WHO}: ${op}: the worker is busy with ${this.activeOp} (await it, or stop() a fit, first)`);
    this.activeToken = token;
    this.activeOp = op;
    try {
      return await f();
    } finally {
      this.activeToken = 0;
      this.activeOp = '';
    }
  }

  async trainOnBatch(x: WireData, y: WireData): Promise<number[]> {
    const model = this.requireModel('trainOnBatch');
    return this.exclusive('trainOnBatch', -1, async () => {
      const owned: Tensor[] = [];
      try {
        const xs = this.resident.resolve(`${WHO}: trainOnBatch`, x, owned);
        const ys = this.resident.resolve(`${WHO}: trainOnBatch`, y, owned);
        const out = await model.trainOnBatch(single(xs), single(ys));
        return Array.isArray(out) ? out : [out];
      } finally {
        for (const t of owned) t.dispose();
      }
    });
  }

  async loadStep(url: string, options: Record<string, unknown>): Promise<void> {
    const model = this.requireModel('loadStep');
    if (this.stepModule !== null)
      throw new Error(
        `${WHO}: loadStep: a step module (${this.stepModule.url}) is loaded already; create a new trainer`,
      );
    const module = await importStepModule(`${WHO}: loadStep`, url);
    const ctx: StepContext = { fe, model, models: Object.fromEntries(this.models), options, state: undefined };
    try {
      ctx.state = await module.setup?.(ctx as StepContext<never, never>);
    } catch (e) {
      throw new Error(`${WHO}: loadStep: the setup of ${url} failed: ${(e as Error)?.message ?? String(e)}`);
    }
    this.stepModule = { url, module, ctx };
  }

  async step(inputs: Record<string, WireData>, args: Record<string, unknown>): Promise<unknown> {
    const loaded = this.stepModule;
    if (loaded === null) throw new Error(`${WHO}: step: no step module loaded; call trainer.loadStep(url) first`);
    return this.exclusive('step', -1, async () => {
      const owned: Tensor[] = [];
      try {
        const tensors: Record<string, Tensor> = {};
        for (const [name, data] of Object.entries(inputs)) {
          const ts = this.resident.resolve(`${WHO}: step: inputs.${name}`, data, owned);
          if (ts.length !== 1)
            throw new Error(`${WHO}: step: inputs.${name} must be one array or tensor, got ${ts.length}`);
          tensors[name] = ts[0];
        }
        let result: unknown;
        try {
          result = await loaded.module.step(loaded.ctx as StepContext<never, never>, tensors, args);
        } catch (e) {
          throw new Error(`${WHO}: step (${loaded.url}) failed: ${(e as Error)?.message ?? String(e)}`);
        }
        const transfers = new TransferList();
        const packed = packStepResult(`${WHO}: step (${loaded.url})`, result, transfers);
        return Comlink.transfer(packed, transfers.list);
      } finally {
        for (const t of owned) t.dispose();
      }
    });
  }

  private requireModel(op: string): LayersModel {
    if (this.model === null) throw new Error(`${WHO}: ${op}: no model loaded`);
    return this.model;
  }

  stopRequested(token: number): boolean {
    return this.stopToken === token || (this.stopFlag !== null && Atomics.load(this.stopFlag, 0) === token);
  }

  stop(token: number): void {
    this.stopToken = token;
  }

  async fit(data: FitPayload, opts: WireFitOptions, port: MessagePort | null): Promise<HistoryData> {
    const model = this.requireModel('fit');
    return this.training('fit', opts, port, async (callbacks, owned) => {
      const unpack = (d: WireData): Tensor[] => this.resident.resolve(`${WHO}: fit`, d, owned);
      const x = unpack(data.x);
      const y = unpack(data.y);
      const validationData =
        data.validationData &&
        ([single(unpack(data.validationData[0])), single(unpack(data.validationData[1]))] as [
          Tensor | Tensor[],
          Tensor | Tensor[],
        ]);
      return model.fit(single(x), single(y), {
        ...pickFitOptions(opts),
        verbose: opts.verbose ?? 0,
        validationData,
        callbacks,
      });
    });
  }

  /** model.fitDataset on batches the caller streams over `stream` (the caller's datasets stay in its thread). */
  async fitDataset(
    data: FitDatasetPayload,
    opts: WireFitDatasetOptions,
    events: MessagePort | null,
    stream: MessagePort,
  ): Promise<HistoryData> {
    const model = this.requireModel('fitDataset');
    const reader = new StreamReader(stream, (ws) => this.resident.unpack(ws), this.streamCounters);
    try {
      return await this.training('fitDataset', opts, events, async (callbacks, owned) => {
        const v = data.validation;
        const validationData =
          v === undefined
            ? undefined
            : v.streamed
              ? reader.dataset('validation', v.size)
              : ([
                  single(this.resident.resolve(`${WHO}: fitDataset`, v.data[0], owned)),
                  single(this.resident.resolve(`${WHO}: fitDataset`, v.data[1], owned)),
                ] as [Tensor | Tensor[], Tensor | Tensor[]]);
        // opts' plain-data options are fitDataset's (its token and event settings are ignored there).
        return model.fitDataset(reader.dataset('train', data.trainSize), {
          ...opts,
          verbose: opts.verbose ?? 0,
          validationData,
          callbacks,
        });
      });
    } finally {
      reader.close();
    }
  }

  /**
   * Runs a fit (`op`): marks the worker busy, builds the callbacks the caller asked for
   * (with the stop check and the events sent back over `port`), and returns the History
   * as data once every event has reached the caller.
   */
  private async training(
    op: string,
    opts: { token: number; callbacks: CallbackSpec[]; batchEventInterval: number },
    port: MessagePort | null,
    run: (callbacks: BaseCallback[], owned: Tensor[]) => Promise<History>,
  ): Promise<HistoryData> {
    if (this.activeToken !== 0)
      throw new Error(
        this.activeOp === 'fit' || this.activeOp === 'fitDataset'
          ? `${WHO}: ${op}: the model is already training (await the running fit, or stop it, first)`
          : `${WHO}: ${op}: the worker is busy with ${this.activeOp} (await it first)`,
      );
    this.activeToken = opts.token;
    this.activeOp = op;
    const queue = port !== null ? new EventQueue(Comlink.wrap<EventSink>(port), opts.batchEventInterval) : null;
    const owned: Tensor[] = [];
    try {
      const callbacks: BaseCallback[] = [new StopCheck(this, opts.token)];
      for (const spec of opts.callbacks) {
        if (spec.type === 'earlyStopping') callbacks.push(new EarlyStopping(spec.args));
        else if (spec.type === 'terminateOnNaN') callbacks.push(new TerminateOnNaN());
        else if (queue !== null) callbacks.push(new ForwardingCallback(queue, spec.set, spec.hooks));
      }
      const history = await run(callbacks, owned);
      // Every event reaches the caller before fit resolves there.
      await queue?.drain();
      return { epoch: [...history.epoch], history: history.history, params: history.params };
    } finally {
      this.activeToken = 0;
      this.activeOp = '';
      for (const t of owned) t.dispose();
      port?.close();
    }
  }

  predict(xs: WireData, batchSize?: number): WireTensor[] {
    const model = this.requireModel('predict');
    const owned: Tensor[] = [];
    const inputs = this.resident.resolve(`${WHO}: predict`, xs, owned);
    try {
      const out = model.predict(single(inputs), { batchSize });
      const outs = Array.isArray(out) ? out : [out];
      const transfers = new TransferList();
      const packed = outs.map((t) => packResult(t, transfers));
      for (const t of outs) t.dispose();
      return Comlink.transfer(packed, transfers.list);
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  evaluate(xs: WireData, ys: WireData, batchSize?: number): number[] {
    const model = this.requireModel('evaluate');
    // evaluate resets the metrics that fit is aggregating over the current epoch.
    if (this.activeToken !== 0)
      throw new Error(`${WHO}: evaluate: the model is training; await fit (or stop it) first`);
    const owned: Tensor[] = [];
    try {
      const x = this.resident.resolve(`${WHO}: evaluate`, xs, owned);
      const y = this.resident.resolve(`${WHO}: evaluate`, ys, owned);
      const out = model.evaluate(single(x), single(y), { batchSize });
      const outs = Array.isArray(out) ? out : [out];
      const values = outs.map((t) => t.dataSync()[0]);
      for (const t of outs) t.dispose();
      return values;
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /** model.evaluateDataset on batches the caller streams: the loss, then the metrics. */
  async evaluateDataset(
    size: number | null,
    batches: number | undefined,
    verbose: number,
    stream: MessagePort,
  ): Promise<number[]> {
    const model = this.requireModel('evaluateDataset');
    const reader = new StreamReader(stream, (ws) => this.resident.unpack(ws), this.streamCounters);
    try {
      return await this.exclusive('evaluateDataset', -1, async () => {
        const out = await model.evaluateDataset(reader.dataset('train', size), { batches, verbose });
        const outs = Array.isArray(out) ? out : [out];
        const values = outs.map((t) => t.dataSync()[0]);
        for (const t of outs) t.dispose();
        return values;
      });
    } finally {
      reader.close();
    }
  }

  streamStats(): WorkerStreamStats {
    return { ...this.streamCounters, numTensors: memory().numTensors };
  }

  /** The weights, in `model.weights` order (between two batches when called during fit). */
  getWeights(): WireTensor[] {
    const model = this.requireModel('getWeights');
    const transfers = new TransferList();
    const packed = model.weights.map((w) => packResult(w, transfers));
    return Comlink.transfer(packed, transfers.list);
  }

  save(): SavedModel {
    const model = this.requireModel('save');
    const transfers = new TransferList();
    const saved: SavedModel = {
      className: model.getClassName(),
      config: model.getConfig(),
      weights: model.weights.map((w) => packResult(w, transfers)),
    };
    return Comlink.transfer(saved, transfers.list);
  }

  putData(data: WireTensor[]): number {
    return this.resident.put(data);
  }

  freeData(handle: number): void {
    // A running fit may be reading them (the caller refuses this too).
    if (this.activeToken !== 0)
      throw new Error(`${WHO}: freeData: the model is training; await fit (or stop() it) first`);
    this.resident.free(`${WHO}: freeData`, handle);
  }

  residentStats(): ResidentStats {
    return this.resident.stats();
  }

  /** Never settles: the call stays pending until the crash, like any call caught by one. */
  crash(mode: CrashMode, delayMs: number): Promise<void> {
    return new Promise(() =>
      setTimeout(() => {
        if (mode === 'exit' && isNode) process.exit(70);
        if (mode === 'heap') {
          // Live objects until the heap limit (resourceLimits in Node) stops the worker.
          const hoard: unknown[] = [];
          for (;;) hoard.push({ at: hoard.length, pad: new Array(64).fill(hoard.length) });
        }
        if (mode === 'reject') {
          void Promise.reject(new Error(`${WHO}: debug crash (an unhandled rejection in the worker)`));
          return;
        }
        throw new Error(`${WHO}: debug crash (an uncaught error in the worker)`);
      }, delayMs),
    );
  }

  /** The API as comlink exposes it: these methods only (not the host's fields). */
  api(): WorkerApi {
    return {
      init: (o) => this.init(o),
      load: (m) => this.load(m),
      fit: (d, o, p) => this.fit(d, o, p),
      stop: (t) => this.stop(t),
      predict: (x, b) => this.predict(x, b),
      evaluate: (x, y, b) => this.evaluate(x, y, b),
      getWeights: () => this.getWeights(),
      save: () => this.save(),
      crash: (m, d) => this.crash(m, d),
      putData: (d) => this.putData(d),
      freeData: (h) => this.freeData(h),
      residentStats: () => this.residentStats(),
      loadModels: (m) => this.loadModels(m),
      trainOnBatch: (x, y) => this.trainOnBatch(x, y),
      loadStep: (u, o) => this.loadStep(u, o),
      step: (i, a) => this.step(i, a),
      fitDataset: (d, o, e, s) => this.fitDataset(d, o, e, s),
      evaluateDataset: (n, b, v, s) => this.evaluateDataset(n, b, v, s),
      streamStats: () => this.streamStats(),
    };
  }
}

/** A model rebuilt from its payload: config, weights, and compiled as the caller asked. */
function buildModel(payload: ModelPayload): LayersModel {
  let model: LayersModel;
  try {
    model = deserialize<LayersModel>({ className: payload.className, config: payload.config }, 'model');
  } catch (e) {
    throw new Error(
      `${WHO}: cannot rebuild the model from its config: ${(e as Error).message.replace(/^ferrite: /, '')}`,
    );
  }
  if (!(model instanceof LayersModel))
    throw new Error(`${WHO}: '${payload.className}' is a layer, not a model (expected Sequential or Model)`);
  // An optimizer made from a config is not owned by the model: freed here if loading
  // fails, else it lives as long as the worker.
  let optimizer: Optimizer | null = null;
  try {
    if (payload.weights.length > 0) {
      const weights = payload.weights.map(unpackTensor);
      try {
        model.setWeights(weights);
      } finally {
        for (const w of weights) w.dispose();
      }
    }
    if (payload.compile !== null) {
      const args = compileArgsFromSpec(payload.compile);
      if (typeof args.optimizer !== 'string') optimizer = args.optimizer;
      model.compile(args);
    }
  } catch (e) {
    model.dispose();
    optimizer?.dispose();
    throw e;
  }
  return model;
}

/** Output names and, for integer-label losses, the class counts labels must stay below. */
function outputsInfo(model: LayersModel): ModelInfo['outputs'] {
  const compiled = model.compiled?.outputs() ?? null;
  return model.outputs.map((t, k) => {
    const o = compiled?.[k];
    const classes = t.shape[t.rank - 1];
    return {
      name: model.outputNames[k],
      labelClasses: o?.sparseLabels && o.builtinLoss && classes !== null ? classes : null,
    };
  });
}
