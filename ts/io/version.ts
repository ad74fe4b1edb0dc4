// The package version, written into saved models' generatedBy (kept equal to package.json's by test/api/io.test.ts).
export const VERSION = '0.1.0';
