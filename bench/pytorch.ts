// PyTorch CPU, the native anchor: runs bench/pytorch/bench.py with Debian's python3-torch
// (`/usr/bin/python3`) on the shapes the other benches time, and returns its rates by figure
// and thread count ('x1', 'x2'). Where torch is absent, says why once and returns nothing.
//
// OpenBLAS: this machine's environment sets OPENBLAS_CORETYPE=Haswell (AVX2 kernels) and
// OPENBLAS_L2_SIZE; both are removed for the child alone, so OpenBLAS picks its AVX-512
// kernels as it would on a user's machine.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pytorch/bench.py', import.meta.url));

/** A part of bench/pytorch/bench.py. */
export type TorchPart = 'gemm' | 'mlp' | 'cnn' | 'conv' | 'text';

/** Rates by figure, then by thread count ('x1', 'x2'): GFLOP/s or samples/s as the figure says. */
export type TorchRates = Record<string, Record<string, number>>;

export interface TorchRun {
  version: string;
  threads: number[];
  results: TorchRates;
}

/** The environment for the child: this one without the OpenBLAS overrides. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { env: childEnv(), timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message.split('\n')[0]}${stderr ? `\n${stderr.trim()}` : ''}`));
      else resolve(stdout);
    });
  });
}

let availability: Promise<string | null> | undefined;
let saidWhy = false;

/** Why PyTorch cannot run here (no /usr/bin/python3, or no torch module), or null when it can. */
export function torchUnavailable(): Promise<string | null> {
  availability ??= run(['-c', 'import torch; print(torch.__version__)'], 60_000).then(
    () => null,
    (e: Error) =>
      `PyTorch skipped: ${PYTHON} cannot import torch (${e.message.split('\n').pop()}); ` +
      `apt-get install python3-torch libopenblas0-pthread to add its columns`,
  );
  return availability;
}

/**
 * Runs one part of bench/pytorch/bench.py at each of `threads` (torch.set_num_threads,
 * interleaved), or resolves to undefined after logging why (torch absent: said once; or the script failed).
 */
export async function benchTorch(
  part: TorchPart,
  opts: { threads?: number[]; quick?: boolean; log?: (line: string) => void } = {},
): Promise<TorchRun | undefined> {
  const log = opts.log ?? console.log;
  const why = await torchUnavailable();
  if (why !== null) {
    if (!saidWhy) log(why); // once per run, not once per part
    saidWhy = true;
    return undefined;
  }
  const spec = { part, threads: opts.threads ?? [1, 2], quick: opts.quick ?? false };
  try {
    const out = await run([SCRIPT, JSON.stringify(spec)], 15 * 60_000);
    const parsed = JSON.parse(out.trim().split('\n').pop()!) as {
      torch: string;
      threads: number[];
      results: TorchRates;
    };
    return { version: parsed.torch, threads: parsed.threads, results: parsed.results };
  } catch (e) {
    log(`PyTorch ${part} failed: ${(e as Error).message}`);
    return undefined;
  }
}
