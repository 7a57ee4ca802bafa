// A set of field paths, stored as a trie keyed by the serialised path element. A node that is a
// member is owned itself; children are owned below it. This is structured-merge-diff's
// fieldpath.Set (Members + Children), with the same set algebra: note that difference and
// intersection are per path, not per subtree (a member does not imply its children).
import { comparePathElements, parsePathElement, serializePathElement, type FieldPath, type PathElement } from './path-element.js';
import type { FieldsV1 } from './types.js';

interface Child {
  pe: PathElement;
  member: boolean;
  set: FieldSet;
}

/** FieldSet is a set of field paths with structured-merge-diff's algebra and FieldsV1 form. */
export class FieldSet {
  private readonly nodes = new Map<string, Child>();

  /** insert adds a path; the empty path (the whole object) is never tracked. */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let set: FieldSet = this;
    for (let i = 0; i < path.length; i++) {
      const pe = path[i]!;
      const key = serializePathElement(pe);
      let node = set.nodes.get(key);
      if (!node) {
        node = { pe, member: false, set: new FieldSet() };
        set.nodes.set(key, node);
      }
      if (i === path.length - 1) node.member = true;
      set = node.set;
    }
    return this;
  }

  /** has tells whether the path itself is a member. */
  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let set: FieldSet = this;
    for (let i = 0; i < path.length; i++) {
      const node = set.nodes.get(serializePathElement(path[i]!));
      if (!node) return false;
      if (i === path.length - 1) return node.member;
      set = node.set;
    }
    return false;
  }

  /** isEmpty tells whether the set holds no path. */
  isEmpty(): boolean {
    return this.nodes.size === 0;
  }

  /** child gives the subset below one path element (paths relative to it), or an empty set. */
  child(pe: PathElement): FieldSet {
    return this.nodes.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  /** hasMember tells whether the element directly below this set is a member. */
  hasMember(pe: PathElement): boolean {
    return this.nodes.get(serializePathElement(pe))?.member ?? false;
  }

  /** union returns the paths in either set. */
  union(other: FieldSet): FieldSet {
    const out = this.clone();
    for (const [key, node] of other.nodes) {
      const mine = out.nodes.get(key);
      if (!mine) out.nodes.set(key, { pe: node.pe, member: node.member, set: node.set.clone() });
      else out.nodes.set(key, { pe: mine.pe, member: mine.member || node.member, set: mine.set.union(node.set) });
    }
    return out;
  }

  /** intersection returns the paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, node] of this.nodes) {
      const theirs = other.nodes.get(key);
      if (!theirs) continue;
      const member = node.member && theirs.member;
      const set = node.set.intersection(theirs.set);
      if (member || !set.isEmpty()) out.nodes.set(key, { pe: node.pe, member, set });
    }
    return out;
  }

  /** difference returns the paths of this set that are not in other (path by path). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, node] of this.nodes) {
      const theirs = other.nodes.get(key);
      if (!theirs) {
        out.nodes.set(key, { pe: node.pe, member: node.member, set: node.set.clone() });
        continue;
      }
      const member = node.member && !theirs.member;
      const set = node.set.difference(theirs.set);
      if (member || !set.isEmpty()) out.nodes.set(key, { pe: node.pe, member, set });
    }
    return out;
  }

  /** recursiveDifference removes the paths of other and everything below other's members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [key, node] of this.nodes) {
      const theirs = other.nodes.get(key);
      if (!theirs) {
        out.nodes.set(key, { pe: node.pe, member: node.member, set: node.set.clone() });
        continue;
      }
      if (theirs.member) continue;
      const set = node.set.recursiveDifference(theirs.set);
      if (node.member || !set.isEmpty()) out.nodes.set(key, { pe: node.pe, member: node.member, set });
    }
    return out;
  }

  /** equals tells whether both sets hold the same paths. */
  equals(other: FieldSet): boolean {
    if (this.nodes.size !== other.nodes.size) return false;
    for (const [key, node] of this.nodes) {
      const theirs = other.nodes.get(key);
      if (!theirs || theirs.member !== node.member || !node.set.equals(theirs.set)) return false;
    }
    return true;
  }

  /** clone copies the set. */
  clone(): FieldSet {
    const out = new FieldSet();
    for (const [key, node] of this.nodes) out.nodes.set(key, { pe: node.pe, member: node.member, set: node.set.clone() });
    return out;
  }

  /** entries lists the direct elements: each with whether it is a member and the set below it. */
  entries(): Array<{ pe: PathElement; member: boolean; set: FieldSet }> {
    return this.sorted().map((n) => ({ pe: n.pe, member: n.member, set: n.set }));
  }

  /** sortedChildren lists the direct elements in the server's order. */
  private sorted(): Child[] {
    return [...this.nodes.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** paths lists every member path: at each level the members first, then the children, each in sorted order (as Set.Iterate does). */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    const sorted = this.sorted();
    for (const node of sorted) if (node.member) out.push([...prefix, node.pe]);
    for (const node of sorted) if (!node.set.isEmpty()) out.push(...node.set.paths([...prefix, node.pe]));
    return out;
  }

  /** toFieldsV1 gives the nested JSON form printed in managedFields (`.` first, then elements in order). */
  toFieldsV1(): FieldsV1 {
    const out: FieldsV1 = {};
    for (const node of this.sorted()) {
      const key = serializePathElement(node.pe);
      if (node.set.isEmpty()) {
        out[key] = {};
        continue;
      }
      const inner: FieldsV1 = node.member ? { '.': {} } : {};
      Object.assign(inner, node.set.toFieldsV1());
      out[key] = inner;
    }
    return out;
  }

  /** fromFieldsV1 reads the nested JSON form; unknown element kinds are dropped, as the server drops them. */
  static fromFieldsV1(fields: FieldsV1): FieldSet {
    const out = new FieldSet();
    for (const [key, inner] of Object.entries(fields ?? {})) {
      if (key === '.') continue;
      const pe = parsePathElement(key);
      if (!pe) continue;
      const children = inner && typeof inner === 'object' ? inner : {};
      const keys = Object.keys(children);
      const member = keys.length === 0 || keys.includes('.');
      const set = FieldSet.fromFieldsV1(children);
      if (member || !set.isEmpty()) out.nodes.set(serializePathElement(pe), { pe, member, set });
    }
    return out;
  }

  /** fromPaths builds a set from paths. */
  static fromPaths(paths: FieldPath[]): FieldSet {
    const out = new FieldSet();
    for (const p of paths) out.insert(p);
    return out;
  }
}
