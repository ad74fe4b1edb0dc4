// Where a vis function draws. In a page: an HTMLElement, or a surface `{name, tab}` as
// tfjs-vis names them (here a plain div appended to the page, grouped under its tab's
// heading, made once per name and reused; there is no visor). In Node: a file path, or
// `{svg: path}`, where the chart is written as an SVG document.

/**
 * A named drawing area, as tfjs-vis's `visor().surface({name, tab})`.
 *
 * @example
 * ```ts browser
 * await fe.vis.render.barchart({ name: 'Counts', tab: 'Data', styles: { height: '300px' } }, [{ index: 'a', value: 1 }]);
 * ```
 */
export interface Surface {
  /** Heading of the area; areas are reused by (tab, name). */
  name: string;
  /** Heading of the group the area belongs to. Default 'Visor', as tfjs-vis. */
  tab?: string;
  /** CSS applied to the drawing area (e.g. `{height: '300px'}`). */
  styles?: Record<string, string>;
}

/**
 * What vis functions draw into: in a page an HTMLElement or a {@link Surface}; in Node an
 * SVG file path, or `{svg: path}`.
 */
export type Drawable =
  | HTMLElement
  | Surface
  | string
  | {
      /** The SVG file to write. */
      svg: string;
    };

/** A resolved drawing target. */
export type Target = { kind: 'dom'; el: HTMLElement } | { kind: 'svg'; path: string };

const ROOT_ID = 'ferrite-vis';
const hasDom = (): boolean => typeof document !== 'undefined' && typeof HTMLElement !== 'undefined';

/** The page's vis root: one div at the end of the body holding every surface. */
function root(): HTMLElement {
  let el = document.getElementById(ROOT_ID);
  if (el === null) {
    el = document.createElement('div');
    el.id = ROOT_ID;
    el.className = 'ferrite-vis';
    document.body.append(el);
  }
  return el;
}

/** The drawing area of a surface, created on first use. */
function surfaceArea(s: Surface): HTMLElement {
  const tab = s.tab ?? 'Visor';
  const parent = root();
  let section = [...parent.children].find((c) => (c as HTMLElement).dataset.tab === tab) as HTMLElement | undefined;
  if (section === undefined) {
    section = document.createElement('section');
    section.className = 'ferrite-vis-tab';
    section.dataset.tab = tab;
    const h = document.createElement('h2');
    h.textContent = tab;
    section.append(h);
    parent.append(section);
  }
  let area = [...section.children].find((c) => (c as HTMLElement).dataset.surface === s.name) as
    HTMLElement | undefined;
  if (area === undefined) {
    area = document.createElement('div');
    area.className = 'ferrite-vis-surface';
    area.dataset.surface = s.name;
    const h = document.createElement('h3');
    h.textContent = s.name;
    const draw = document.createElement('div');
    draw.className = 'ferrite-vis-draw-area';
    area.append(h, draw);
    section.append(area);
  }
  const draw = area.querySelector('.ferrite-vis-draw-area') as HTMLElement;
  for (const [k, v] of Object.entries(s.styles ?? {})) draw.style.setProperty(k, v);
  return draw;
}

/** Resolves `container` for the function `who` (named in errors). */
export function resolveTarget(container: Drawable, who: string): Target {
  if (typeof container === 'string') {
    if (hasDom())
      throw new Error(
        `ferrite: vis.${who}: a file path ('${container}') is for Node; in a page give an HTMLElement or {name, tab}`,
      );
    return { kind: 'svg', path: container };
  }
  if (container !== null && typeof container === 'object') {
    if ('svg' in container && typeof container.svg === 'string') {
      if (hasDom())
        throw new Error(`ferrite: vis.${who}: {svg: path} is for Node; in a page give an HTMLElement or {name, tab}`);
      return { kind: 'svg', path: container.svg };
    }
    if (hasDom() && container instanceof HTMLElement) return { kind: 'dom', el: container };
    if ('name' in container && typeof container.name === 'string') {
      if (!hasDom())
        throw new Error(
          `ferrite: vis.${who}: the surface {name: '${container.name}'} needs a page; in Node give an SVG file path or {svg: path}`,
        );
      return { kind: 'dom', el: surfaceArea(container as Surface) };
    }
  }
  throw new Error(
    `ferrite: vis.${who}: container must be an HTMLElement or {name, tab} (in a page), or an SVG file path or {svg: path} (in Node); got ${container === null ? 'null' : typeof container}`,
  );
}

/** A child div of `parent` with class `cls`, made once and reused on later draws. */
export function childDiv(parent: HTMLElement, cls: string): HTMLElement {
  let el = [...parent.children].find((c) => c.classList.contains(cls)) as HTMLElement | undefined;
  if (el === undefined) {
    el = document.createElement('div');
    el.className = cls;
    parent.append(el);
  }
  return el;
}
