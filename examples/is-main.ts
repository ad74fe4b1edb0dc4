// Whether the calling module is the program being run (`npx tsx examples/<file>.ts`),
// rather than imported by a test or a benchmark. Pass it `import.meta.url`.
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
