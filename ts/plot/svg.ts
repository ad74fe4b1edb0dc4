// A minimal SVG vocabulary: elements as strings with escaped text and attributes, and
// numbers rounded to what a screen can show (so files stay small and diffable).

export type Attrs = Record<string, string | number | undefined>;

/** Escapes text and attribute values for XML. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A coordinate with at most two decimals ('12.5', not '12.500000001'). */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : v)}"`;
  }
  return out;
}

/** `<name attrs>children</name>`, or `<name attrs/>` without children. */
export function el(name: string, a: Attrs, ...children: string[]): string {
  return children.length === 0 ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children.join('')}</${name}>`;
}

/** A text element; `s` is escaped. */
export function text(s: string, a: Attrs): string {
  return `<text${attrs(a)}>${escapeXml(s)}</text>`;
}

/** A complete SVG document of the given size. */
export function svgDocument(width: number, height: number, body: string[]): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n`;
  const root = el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      'font-family': 'DejaVu Sans, Helvetica, Arial, sans-serif',
    },
    '\n',
    ...body.map((b) => `${b}\n`),
  );
  return `${head}${root}\n`;
}
