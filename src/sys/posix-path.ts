// node:path (POSIX) as pure string functions, for the compiled executable only: scripts/build.mjs
// links this file wherever the code imports node:path, because loading Bun's node:path cost about
// 0.8 ms of every wrapped call. test/sys/posix-path.test.ts holds it equal to node:path.posix.

export const sep = '/';
export const delimiter = ':';

/** Collapses `.`, `..` and repeated slashes; `..` above a relative start is kept, above `/` dropped. */
function normalizeSegments(path: string, absolute: boolean): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(seg);
  }
  return out.join('/');
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

export function normalize(path: string): string {
  if (path === '') return '.';
  const absolute = isAbsolute(path);
  const trailing = path.endsWith('/');
  let body = normalizeSegments(path, absolute);
  if (body === '' && !absolute) body = '.';
  if (body !== '' && trailing) body += '/';
  return absolute ? `/${body}` : body;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined === '' ? '.' : normalize(joined);
}

export function resolve(...parts: string[]): string {
  let path = '';
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(path); i--) {
    const p = parts[i]!;
    if (p !== '') path = path === '' ? p : `${p}/${path}`;
  }
  if (!isAbsolute(path)) path = path === '' ? process.cwd() : `${process.cwd()}/${path}`;
  return `/${normalizeSegments(path, true)}`;
}

export function dirname(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  // The end of the parent: the last slash before the last name, trailing slashes skipped. Like
  // node:path, the slashes in front of it are kept (`a//b` -> `a/`) and `//x` keeps `//`.
  let end = -1;
  let inTrailingSlashes = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] === '/') {
      if (!inTrailingSlashes) {
        end = i;
        break;
      }
    } else inTrailingSlashes = false;
  }
  if (end === -1) return rooted ? '/' : '.';
  if (rooted && end === 1) return '//';
  return path.slice(0, end);
}

/** The last name of `path` (no suffix stripping: nothing here needs it). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  if (end === 0) return '';
  return path.slice(path.lastIndexOf('/', end - 1) + 1, end);
}

export function extname(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  // A leading dot names a hidden file, not an extension (`.bashrc`); `..` has none either.
  if (dot <= 0 || base === '..') return '';
  return base.slice(dot);
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export const posix = { sep, delimiter, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };
export default posix;
