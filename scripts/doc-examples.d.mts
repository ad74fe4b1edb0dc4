// Types of scripts/doc-examples.mjs, for test/api/doc-examples.test.ts.
export interface DocExample {
  /** The documented symbol: `name`, or `Container.member`. */
  symbol: string;
  /** The source file, relative to the root (`ts/ops/matmul.ts`). */
  file: string;
  /** The 1-based source line of the example's first line of code. */
  line: number;
  /** 'run': runs in Node; 'browser': needs a page; 'no-run': needs files or the network. */
  mode: 'run' | 'browser' | 'no-run';
  code: string;
}

export interface DocExampleProblem {
  symbol: string;
  file: string;
  line: number;
  message: string;
}

export function extractExamples(
  root: string,
  options?: { exclude?: string[] },
): { examples: DocExample[]; problems: DocExampleProblem[] };
