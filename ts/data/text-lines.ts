// The lines of a text file, read in chunks and yielded as they come, so a file larger than
// memory streams through (data.csv): from disk in Node (a `file://` path), elsewhere over
// fetch's body stream. A line split across chunks, and a UTF-8 character split across
// chunks, are joined before they are yielded.

import { nodeBuiltin } from './source.js';

type Fs = typeof import('node:fs');

/** Bytes read from disk at a time. */
export const CHUNK_BYTES = 1 << 16;

/** A local file's bytes in chunks of `chunkBytes` (Node only). */
async function* fileChunks(path: string, what: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const fs = nodeBuiltin<Fs>('node:fs');
  if (!fs) throw new Error(`ferrite: ${what}: reading files from disk needs Node >= 20.16`);
  let file: Awaited<ReturnType<Fs['promises']['open']>>;
  try {
    file = await fs.promises.open(path, 'r');
  } catch (e) {
    throw new Error(`ferrite: ${what}: cannot open ${path} (${(e as Error).message})`);
  }
  try {
    for (;;) {
      const buf = new Uint8Array(chunkBytes);
      const { bytesRead } = await file.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** A URL's body in the chunks the network delivers. */
async function* urlChunks(url: string, what: string): AsyncGenerator<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`ferrite: ${what}: cannot fetch ${url} (${(e as Error).message})`);
  }
  if (res.status === 404) throw new Error(`ferrite: ${what}: not found (HTTP 404)`);
  if (!res.ok) throw new Error(`ferrite: ${what}: fetching ${url} failed with HTTP ${res.status} ${res.statusText}`);
  if (res.body === null) {
    yield new Uint8Array(await res.arrayBuffer());
    return;
  }
  const reader = res.body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    reader.releaseLock();
  }
}

/**
 * The lines of `source` (a URL, or `file://` + a path in Node) without their '\n' or
 * '\r\n', read `chunkBytes` at a time. Stopping early (`return()`) closes the file.
 */
export async function* textLines(source: string, what: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<string> {
  const chunks = source.startsWith('file://')
    ? fileChunks(source.slice('file://'.length), what, chunkBytes)
    : urlChunks(source, what);
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) yield l.endsWith('\r') ? l.slice(0, -1) : l;
  }
  rest += decoder.decode();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
