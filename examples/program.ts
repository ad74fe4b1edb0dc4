// What the example programs share: the options of the training programs, and running
// as a command (`npx tsx examples/<file>.ts`) rather than imported by a test or a bench.

/** Options every training program takes (each adds its own data options). */
export interface TrainingOptions {
  epochs?: number;
  batchSize?: number;
  /** Use only the first n training images (default all). */
  trainSize?: number;
  /** 0 silent, 1 Keras progress bars, 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Where messages go (default console.log). */
  log?: (line: string) => void;
}

/** Whether the calling module is the program being run. Pass it `import.meta.url`. */
export function isMain(moduleUrl: string): boolean {
  if (typeof process === 'undefined' || !process.argv?.[1]) return false;
  const entry = new URL(process.argv[1], `file://${process.cwd()}/`).href;
  return moduleUrl === entry || moduleUrl === entry.replace(/\.js$/, '.ts');
}

/** The value after `--name` on the command line, if any. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The number after `--name` on the command line, if any. */
export function numberArg(name: string): number | undefined {
  const value = argValue(name);
  return value === undefined ? undefined : Number(value);
}

/** Runs a program's `main` as a command: an error is printed and sets a failing exit code. */
export function runAsCommand(main: () => Promise<unknown>): void {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
