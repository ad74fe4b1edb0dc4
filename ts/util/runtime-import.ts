// Imports of modules named only at run time: optional peer dependencies (uplot, pngjs,
// mnist) and Node built-ins used by Node-only paths. Bundlers must neither bundle them nor
// fail an app's build when they are not installed. A specifier in a local variable is not
// enough: Vite's dev server pre-bundles the package with esbuild, which folds
// `const s = 'uplot'; import(s)` into `import('uplot')`, and Vite then fails to resolve it.
// A parameter of a function that is called from several places is never folded.

/** `import(specifier)`, opaque to bundlers (Vite, webpack, Parcel, esbuild). */
export function importAtRunTime<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
