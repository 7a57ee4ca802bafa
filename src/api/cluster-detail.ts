import { formatRef } from '../core/index.js';
import type { ClusterRecord } from '../fleet/index.js';
import type { ObjectDriftReport, TargetSyncResult } from '../reconcile/index.js';

// What GET /api/v1/clusters/:name tells beyond the cluster's summary and targets, for the
// dashboard's cluster page: the identity the record states, whether the live cluster proved its
// fingerprint, every applied object with its health, and the drift field by field (a Secret's
// values arrive masked from the drift detector and stay masked).

/** FingerprintStatus says whether the live cluster is the one its record names. */
export interface FingerprintStatus {
  /** The uid the record holds (written by `flotilla bootstrap`). */
  expected?: string;
  /** `unset`: the record has none; `unknown`: not checked yet (or the cluster did not answer). */
  status: 'match' | 'mismatch' | 'unset' | 'unknown';
  message?: string;
}

/** ClusterObjectHealth is one desired object of a target with its last assessed health. */
export interface ClusterObjectHealth {
  release: string;
  /** `Kind/namespace/name`. */
  object: string;
  health: string;
  message?: string;
}

/** ClusterDriftView is one drifted object with its fields (desired and live values). */
export interface ClusterDriftView {
  release: string;
  object: string;
  missing: boolean;
  /** When the drift was first noticed (ms). */
  since: number;
  fields: { path: string; desired: unknown; live?: unknown; masked?: boolean }[];
}

/** ClusterDetail is the part of a cluster's answer that only the running hub knows. */
export interface ClusterDetail {
  identity: Record<string, string>;
  fingerprint: FingerprintStatus;
  objects: ClusterObjectHealth[];
  drift: ClusterDriftView[];
}

/**
 * describeCluster builds a cluster's detail from its record, the loop's last sync results of its
 * targets and its current drift reports.
 */
export function describeCluster(record: ClusterRecord, results: readonly TargetSyncResult[], drift: readonly ObjectDriftReport[]): ClusterDetail {
  const blocked = results.flatMap((r) => r.guards).find((g) => g.object === 'Namespace/kube-system' && /fingerprint/.test(g.message));
  // The fingerprint is read before anything else: a target that went further (synced, waiting,
  // drifted, or with objects assessed) means it matched. A failed read leaves every target Failed
  // or Unreachable with nothing assessed, so that says nothing (conservatively: unknown).
  const checked = results.some((r) => (r.sync !== 'Unreachable' && r.sync !== 'Failed' && r.sync !== 'Blocked') || r.objectHealth.length > 0);
  const fingerprint: FingerprintStatus = !record.fingerprint
    ? { status: 'unset' }
    : blocked
      ? { expected: record.fingerprint, status: 'mismatch', message: blocked.message }
      : checked
        ? { expected: record.fingerprint, status: 'match' }
        : { expected: record.fingerprint, status: 'unknown' };
  return {
    identity: { ...record.identity },
    fingerprint,
    objects: results.flatMap((r) => r.objectHealth.map((o) => ({ release: r.release, object: formatRef(o.object), health: o.status, ...(o.message ? { message: o.message } : {}) }))),
    drift: drift.map((d) => ({ release: d.release, object: d.object, missing: d.missing, since: d.since, fields: d.fields.map((f) => ({ ...f })) })),
  };
}
