// Pages live in the URL's hash (`#/clusters/prod-eu-west`), so the hub serves one index.html at
// `/` and every page can be bookmarked and shared without a server-side route per page.
import { useEffect, useSyncExternalStore } from 'react';

/** Route is the page the hash names, with its query parameters. */
export interface Route {
  /** Path segments after `#/`, decoded. */
  parts: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

let current = parse(location.hash);
const subscribe = (listener: () => void) => {
  const onChange = () => {
    current = parse(location.hash);
    listener();
  };
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** useRoute renders from the current hash. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, () => current);
}

/** href builds a hash link from path segments and query parameters (empty values are left out). */
export function href(parts: string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1])).toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

/** replaceQuery changes the current page's query without a new history entry (filters as you type). */
export function replaceQuery(query: Record<string, string | undefined>): void {
  history.replaceState(null, '', href(current.parts, query));
  current = parse(location.hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** useTitle names the browser tab after the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Flotilla`;
  }, [title]);
}
