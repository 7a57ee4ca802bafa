import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { ObjectStore, KubeJson } from '../store/object-store.js';

/** Clock gives the server its time; tests inject a fixed one. */
export interface Clock {
  now(): Date;
}

/** User is an authenticated caller. */
export interface User {
  name: string;
  groups: string[];
  /** Whether the user may write (admin) or only read (viewer). */
  canWrite: boolean;
}

/**
 * RestContext is what the verb handlers share: one cluster's store and types, its clock and
 * identity sources, and hooks for the simulated controllers that live inside kube-apiserver
 * (CRD establishing).
 */
export interface RestContext {
  store: ObjectStore;
  registry: TypeRegistry;
  clock: Clock;
  /** newUid returns a fresh object uid. */
  newUid(): string;
  /** random returns a number in [0, 1) (generateName suffixes, ClusterIP allocation). */
  random(): number;
  /**
   * Whether server-side apply fills a keyed list item's missing key field with its default (a
   * port's protocol), as servers from 1.20 on do; 1.19 refuses the item.
   */
  listKeyDefaults: boolean;
  /** onCrdChange is called after a CRD is stored or removed, so that its types are served or dropped. */
  onCrdChange(crd: KubeJson | undefined, name: string): void;
}

/** resourceKey is the store key of a resource type: `group/plural` (all versions share storage). */
export function resourceKey(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${t.group}/${t.plural}`;
}

/** formatTime prints a time as the API does: RFC 3339 with seconds, UTC. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
