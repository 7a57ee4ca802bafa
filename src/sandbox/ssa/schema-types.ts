// The schema language of the field-management core: a small mirror of structured-merge-diff's
// schema (scalar / map / list atoms with element relationships), enough to say how each field of
// an object merges and how it is named in a field set.

/** ScalarSchema is a leaf value; scalar says which JSON type it must have (untyped accepts any). */
export interface ScalarSchema {
  type: 'scalar';
  scalar?: 'string' | 'numeric' | 'boolean' | 'untyped';
}

/**
 * MapSchema is a struct (named fields) or a map (free keys sharing elementType), or both.
 * Keys found in `fields` are named fields; other keys take elementType. When neither applies, an
 * `open` struct treats the key as a named field of an unknown (open) type: our tables of built-in
 * kinds only declare the fields whose merge behaviour matters.
 */
export interface MapSchema {
  type: 'map';
  fields?: Record<string, SchemaNode>;
  elementType?: SchemaNode;
  /** elementRelationship is 'atomic' for `x-kubernetes-map-type: atomic` / `+structType=atomic`. @default 'separable' */
  elementRelationship?: 'separable' | 'atomic';
  /** open makes undeclared keys named fields of an open type instead of an error. */
  open?: boolean;
}

/**
 * ListSchema is a list: atomic (replaced as a whole), a set of scalars (`x-kubernetes-list-type:
 * set`, items named `v:<json>`) or a map keyed by `keys` (`x-kubernetes-list-type: map`, items
 * named `k:{...}`).
 */
export interface ListSchema {
  type: 'list';
  listType: 'atomic' | 'set' | 'map';
  keys?: string[];
  /** keyDefaults fills a missing key field, as newer servers do for ports' protocol. */
  keyDefaults?: Record<string, unknown>;
  elementType?: SchemaNode;
}

/**
 * UntypedSchema adapts to the value: 'deduced' is structured-merge-diff's `__untyped_deduced_`
 * (maps granular with free keys, lists atomic: x-kubernetes-preserve-unknown-fields), 'atomic'
 * owns the whole value, 'open' is the default of our built-in tables (maps are structs of open
 * fields, lists atomic).
 */
export interface UntypedSchema {
  type: 'untyped';
  mode: 'deduced' | 'atomic' | 'open';
}

/** SchemaNode is one node of a type schema. */
export type SchemaNode = ScalarSchema | MapSchema | ListSchema | UntypedSchema;
