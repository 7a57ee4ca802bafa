// Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for (Accept:
// application/json;as=Table;v=v1;g=meta.k8s.io), with the columns the real server prints for the
// kinds fleets use and NAME/AGE (or a CRD's additionalPrinterColumns) for the others.
import type { ResourceType } from '../registry/resource-type.js';
import type { KubeJson } from '../store/object-store.js';

type Json = Record<string, unknown>;

/** ColumnDefinition is one column of a Table. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface Column extends ColumnDefinition {
  cell(object: KubeJson, now: Date): unknown;
}

/** humanDuration prints a duration as kubectl's AGE column does (apimachinery's duration.HumanDuration). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function get(object: unknown, path: string): unknown {
  let cur = object;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

function num(object: KubeJson, path: string): number {
  const v = get(object, path);
  return typeof v === 'number' ? v : 0;
}

const nameColumn: Column = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names',
  cell: (o) => o.metadata.name,
};

const ageColumn: Column = {
  name: 'Age', type: 'string', format: '', priority: 0,
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  cell: (o, now) => (typeof o.metadata.creationTimestamp === 'string' ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>'),
};

const createdAtColumn: Column = { ...ageColumn, name: 'Created At', type: 'date', cell: (o) => o.metadata.creationTimestamp };

function col(name: string, type: string, cell: Column['cell'], priority = 0, description = ''): Column {
  return { name, type, format: '', description, priority, cell };
}

function containersOf(o: KubeJson, templatePath: string): Json[] {
  const c = get(o, `${templatePath}.containers`);
  return Array.isArray(c) ? (c as Json[]) : [];
}

function selectorText(selector: unknown): string {
  const labels = get(selector, 'matchLabels');
  if (!labels || typeof labels !== 'object') return '<none>';
  const parts = Object.entries(labels as Json).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.join(',') : '<none>';
}

const workloadWide = (path: string): Column[] => [
  col('Containers', 'string', (o) => containersOf(o, path).map((c) => c.name).join(','), 1),
  col('Images', 'string', (o) => containersOf(o, path).map((c) => c.image).join(','), 1),
  col('Selector', 'string', (o) => selectorText(get(o, 'spec.selector')), 1),
];

const columnsByKind: Record<string, Column[]> = {
  '/Namespace': [nameColumn, col('Status', 'string', (o) => get(o, 'status.phase') ?? ''), ageColumn],
  '/ConfigMap': [nameColumn, col('Data', 'integer', (o) => Object.keys((o.data as Json | undefined) ?? {}).length + Object.keys((o.binaryData as Json | undefined) ?? {}).length), ageColumn],
  '/Secret': [nameColumn, col('Type', 'string', (o) => o.type ?? ''), col('Data', 'integer', (o) => Object.keys((o.data as Json | undefined) ?? {}).length), ageColumn],
  '/ServiceAccount': [nameColumn, ageColumn],
  '/Service': [
    nameColumn,
    col('Type', 'string', (o) => get(o, 'spec.type') ?? ''),
    col('Cluster-IP', 'string', (o) => get(o, 'spec.clusterIP') ?? '<none>'),
    col('External-IP', 'string', () => '<none>'),
    col('Port(s)', 'string', (o) => {
      const ports = get(o, 'spec.ports');
      return Array.isArray(ports) && ports.length ? ports.map((p: Json) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${String(p.protocol ?? 'TCP')}`).join(',') : '<none>';
    }),
    ageColumn,
    col('Selector', 'string', (o) => {
      const s = get(o, 'spec.selector');
      return s && typeof s === 'object' ? Object.entries(s as Json).map(([k, v]) => `${k}=${String(v)}`).join(',') || '<none>' : '<none>';
    }, 1),
  ],
  'apps/Deployment': [
    nameColumn,
    col('Ready', 'string', (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}`),
    col('Up-to-date', 'integer', (o) => num(o, 'status.updatedReplicas')),
    col('Available', 'integer', (o) => num(o, 'status.availableReplicas')),
    ageColumn,
    ...workloadWide('spec.template.spec'),
  ],
  'apps/StatefulSet': [nameColumn, col('Ready', 'string', (o) => `${num(o, 'status.readyReplicas')}/${num(o, 'spec.replicas')}`), ageColumn, ...workloadWide('spec.template.spec').slice(0, 2)],
  'apps/ReplicaSet': [
    nameColumn,
    col('Desired', 'integer', (o) => num(o, 'spec.replicas')),
    col('Current', 'integer', (o) => num(o, 'status.replicas')),
    col('Ready', 'integer', (o) => num(o, 'status.readyReplicas')),
    ageColumn,
    ...workloadWide('spec.template.spec'),
  ],
  'apps/DaemonSet': [
    nameColumn,
    col('Desired', 'integer', (o) => num(o, 'status.desiredNumberScheduled')),
    col('Current', 'integer', (o) => num(o, 'status.currentNumberScheduled')),
    col('Ready', 'integer', (o) => num(o, 'status.numberReady')),
    col('Up-to-date', 'integer', (o) => num(o, 'status.updatedNumberScheduled')),
    col('Available', 'integer', (o) => num(o, 'status.numberAvailable')),
    col('Node Selector', 'string', (o) => {
      const s = get(o, 'spec.template.spec.nodeSelector');
      return s && typeof s === 'object' ? Object.entries(s as Json).map(([k, v]) => `${k}=${String(v)}`).join(',') || '<none>' : '<none>';
    }),
    ageColumn,
    ...workloadWide('spec.template.spec'),
  ],
  'batch/Job': [
    nameColumn,
    col('Completions', 'string', (o) => `${num(o, 'status.succeeded')}/${num(o, 'spec.completions') || 1}`),
    col('Duration', 'string', (o) => {
      const start = get(o, 'status.startTime');
      const end = get(o, 'status.completionTime');
      return typeof start === 'string' && typeof end === 'string' ? humanDuration(Date.parse(end) - Date.parse(start)) : '';
    }),
    ageColumn,
    ...workloadWide('spec.template.spec').slice(0, 2),
  ],
  'batch/CronJob': [
    nameColumn,
    col('Schedule', 'string', (o) => get(o, 'spec.schedule') ?? ''),
    col('Suspend', 'boolean', (o) => get(o, 'spec.suspend') === true),
    col('Active', 'integer', (o) => (Array.isArray(get(o, 'status.active')) ? (get(o, 'status.active') as unknown[]).length : 0)),
    col('Last Schedule', 'string', (o, now) => (typeof get(o, 'status.lastScheduleTime') === 'string' ? humanDuration(now.getTime() - Date.parse(String(get(o, 'status.lastScheduleTime')))) : '<none>')),
    ageColumn,
  ],
  'apiextensions.k8s.io/CustomResourceDefinition': [nameColumn, createdAtColumn],
  'networking.k8s.io/Ingress': [
    nameColumn,
    col('Class', 'string', (o) => get(o, 'spec.ingressClassName') ?? '<none>'),
    col('Hosts', 'string', (o) => {
      const rules = get(o, 'spec.rules');
      const hosts = Array.isArray(rules) ? rules.map((r: Json) => r.host).filter(Boolean) : [];
      return hosts.length ? hosts.join(',') : '*';
    }),
    col('Address', 'string', () => ''),
    col('Ports', 'string', (o) => (get(o, 'spec.tls') ? '80, 443' : '80')),
    ageColumn,
  ],
};

function customColumns(type: ResourceType): Column[] {
  const printer = type.custom?.additionalPrinterColumns;
  if (!printer?.length) return [nameColumn, { ...ageColumn, type: 'date' }];
  return [
    nameColumn,
    ...printer.map((p) =>
      col(p.name, p.type, (o, now) => {
        const value = get(o, p.jsonPath.replace(/^\./, ''));
        if (p.type === 'date' && typeof value === 'string') return humanDuration(now.getTime() - Date.parse(value));
        return value ?? null;
      }, p.priority ?? 0, p.description ?? ''),
    ),
  ];
}

/** columnsFor returns the table columns of a type. */
function columnsFor(type: ResourceType): Column[] {
  if (type.custom) return customColumns(type);
  return columnsByKind[`${type.group}/${type.kind}`] ?? [nameColumn, createdAtColumn];
}

/** IncludeObject is the includeObject parameter: what each row carries besides its cells. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** partialObjectMetadata is the meta.k8s.io/v1 PartialObjectMetadata of an object. */
export function partialObjectMetadata(object: KubeJson): Json {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** toTable prints objects as a Table with the type's columns. */
export function toTable(type: ResourceType, objects: KubeJson[], listMeta: Json, include: IncludeObject, now: Date): Json {
  const columns = columnsFor(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map(({ name, type: t, format, description, priority }) => ({ name, type: t, format, description, priority })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, now)),
      ...(include === 'None' ? {} : { object: include === 'Object' ? o : partialObjectMetadata(o) }),
    })),
  };
}
