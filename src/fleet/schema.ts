// The JSON Schemas of the fleet file and of cluster records, kept as data: the loader validates
// against them, and `npm run docs` publishes them as docs/schema/*.json for editors (a test keeps
// the published files in step). What a schema cannot say well (cycles, dangling references,
// label syntax, templates) is checked in code after it, with the same kind of messages.

/** apiVersion is the version of the fleet file and cluster record formats. */
export const apiVersion = 'flotilla.dev/v1alpha1';

/** dnsLabelPattern is an RFC 1123 label: what cluster, release and namespace names must be. */
export const dnsLabelPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** durationPattern is a Go-style duration: `30s`, `5m`, `1h30m`, `500ms`. */
export const durationPattern = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

/** variablePattern is a substitution variable name, as Flux requires: a letter or `_`, then letters, digits or `_`. */
export const variablePattern = '^[_a-zA-Z][_a-zA-Z0-9]*$';

/** percentPattern is a percentage of a wave's targets, `1%` to `100%`. */
export const percentPattern = '^([1-9][0-9]?|100)%$';

/** patternMeanings says in words what each pattern allows, for error messages. */
export const patternMeanings: Record<string, string> = {
  [dnsLabelPattern]: 'a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit',
  [durationPattern]: 'a duration such as 30s, 5m or 1h30m',
  [variablePattern]: 'a variable name: a letter or "_", then letters, digits or "_"',
  [percentPattern]: 'a percentage from 1% to 100%',
};

/** notificationEvents are the events a notification may subscribe to. */
export const notificationEvents = ['SyncSucceeded', 'SyncFailed', 'DriftDetected', 'DriftCorrected', 'GuardBlocked', 'RolloutStarted', 'RolloutHalted', 'RolloutCompleted', 'ClusterUnreachable', 'WaveStarted', 'WaveCompleted', 'WaitingForApproval', 'TargetFailed', 'RolledBack', 'RolloutPaused', 'RolloutResumed', 'RolloutAborted'] as const;

const name = (what: string) => ({ type: 'string', pattern: dnsLabelPattern, maxLength: 63, description: `The ${what}'s name: a DNS label (lower-case letters, digits and "-").` });
const stringMap = (description: string) => ({ type: 'object', additionalProperties: { type: 'string' }, description });
const duration = (description: string) => ({ type: 'string', pattern: durationPattern, description });

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  description: 'A Kubernetes label selector: every matchLabels entry and every matchExpressions requirement must hold. {} selects everything.',
  properties: {
    matchLabels: stringMap('Labels that must be present with exactly these values.'),
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1, description: 'The label key.' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], description: 'NotIn and DoesNotExist also match when the label is absent.' },
          values: { type: 'array', items: { type: 'string' }, description: 'The label values: required (non-empty) for In and NotIn, absent for Exists and DoesNotExist.' },
        },
      },
      description: 'Requirements on labels; all must hold.',
    },
  },
};

const secretSource = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  description: 'Where a secret comes from; never a literal secret in Git.',
  properties: {
    env: { type: 'string', pattern: variablePattern, description: 'An environment variable of the hub or agent.' },
    file: { type: 'string', minLength: 1, description: 'A file on the machine that runs the hub or agent.' },
  },
};

const metadata = (what: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  description: `The ${what}'s name, labels and annotations.`,
  properties: {
    name: name(what),
    labels: stringMap('Labels.'),
    annotations: stringMap('Annotations.'),
  },
});

/** fleetSchema is the JSON Schema of `flotilla.yaml` (SPEC §2.2). */
export const fleetSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://flotilla.dev/schema/fleet.schema.json',
  title: 'Flotilla fleet file (flotilla.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: apiVersion },
    kind: { const: 'Fleet' },
    metadata: metadata('fleet'),
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['releases'],
      description: 'The releases, where they go, how changes move, and what must never happen.',
      properties: {
        clusters: { type: 'string', minLength: 1, default: 'clusters/*/cluster.yaml', description: 'A glob of cluster record files, relative to the repository root.' },
        releases: { type: 'array', items: { $ref: '#/definitions/release' }, description: 'The units of deployment, each rendered once per target cluster.' },
        clusterTemplate: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          description: "The new cluster's overlay: flotilla bootstrap (and init) copy the files of this directory into clusters/NAME/, with {{cluster.name}}, {{cluster.labels.KEY}} and {{cluster.identity.KEY}} expanded.",
          properties: {
            path: { type: 'string', minLength: 1, description: 'A directory relative to the repository root, e.g. templates/cluster.' },
          },
        },
        rollout: { $ref: '#/definitions/rollout', description: 'How a new revision moves through the fleet: waves of clusters, gates between them. Without it, every target moves at once.' },
        guards: { type: 'array', items: { $ref: '#/definitions/guard' }, description: 'Checks every target must pass before anything is applied. The identity guard always runs, listed or not.' },
        notifications: { type: 'array', items: { $ref: '#/definitions/notification' }, description: 'Where events are sent (Slack, signed webhooks).' },
      },
    },
  },
  definitions: {
    labelSelector,
    release: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'targets'],
      description: 'One unit of deployment: a kustomize directory (path) or a Helm chart (helm), rendered once per target cluster.',
      properties: {
        name: name('release'),
        path: { type: 'string', minLength: 1, description: 'A kustomize directory relative to the repository root; may hold {{cluster.name}}, {{cluster.labels.KEY}}, {{cluster.identity.KEY}}, {{release.name}}.' },
        helm: {
          type: 'object',
          additionalProperties: false,
          required: ['chart'],
          description: 'A Helm chart rendered with helm template; set either path or helm.',
          properties: {
            chart: {
              type: ['string', 'object'],
              minLength: 1,
              additionalProperties: false,
              required: ['repo', 'name'],
              properties: {
                repo: { type: 'string', minLength: 1, description: 'The chart repository URL (its index.yaml is fetched).' },
                name: { type: 'string', minLength: 1, description: 'The chart name in that repository.' },
                version: { type: 'string', minLength: 1, description: 'A version or semver range.' },
              },
              description: 'A chart directory in the repository, or {repo: URL, name, version}.',
            },
            version: { type: 'string', minLength: 1, description: 'The chart version or semver range (for charts from a chart repository).' },
            values: { type: 'object', description: 'Values merged last; strings may hold templates.' },
            valuesFiles: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Values files in order; a missing file is an error unless listed in optionalValuesFiles.' },
            optionalValuesFiles: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Values files that may be missing; templates allowed.' },
          },
        },
        repo: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          description: 'Another Git repository that holds the path (one repository per environment).',
          properties: {
            url: { type: 'string', minLength: 1, description: 'The repository URL (a local path or file:// URL for flotilla render); templates allowed.' },
            branch: { type: 'string', minLength: 1, description: 'The branch (default: the repository HEAD); templates allowed.' },
          },
        },
        targets: {
          type: 'object',
          additionalProperties: false,
          description: 'The clusters: those matching selector, plus clusters, minus exclude.',
          properties: {
            selector: { $ref: '#/definitions/labelSelector', description: 'Clusters whose labels match; {} selects every cluster.' },
            clusters: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Clusters named outright, added to the selection.' },
            exclude: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Clusters removed from the selection.' },
          },
        },
        dependsOn: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Releases that must be healthy on a cluster before this one syncs there.' },
        namespace: { ...name('namespace'), description: 'The namespace of namespaced objects that have none.' },
        substitute: { type: 'object', propertyNames: { pattern: variablePattern }, additionalProperties: { type: 'string' }, description: 'Variables for ${VAR} substitution after rendering; values may hold templates.' },
        prune: { type: 'boolean', default: true, description: 'Delete objects this release applied before and no longer renders.' },
        allowEmpty: { type: 'boolean', default: false, description: 'Allow a render of zero objects to prune a non-empty inventory.' },
        wait: { type: 'boolean', default: false, description: 'Wait for the objects to be healthy.' },
        timeout: duration('How long a sync waits for health.'),
        selfHeal: { type: 'boolean', default: true, description: 'false: report drift, do not correct it.' },
        ignore: {
          type: 'array',
          description: 'Differences that are not drift, e.g. replicas owned by an autoscaler.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['paths'],
            properties: {
              group: { type: 'string', description: 'The API group of the objects ("" for the core group); absent matches every group.' },
              kind: { type: 'string', minLength: 1, description: 'The kind of the objects; absent matches every kind.' },
              namespace: { type: 'string', minLength: 1, description: 'The namespace of the objects; absent matches every namespace.' },
              name: { type: 'string', minLength: 1, description: 'An object name; "*" matches all.' },
              paths: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^/' }, description: 'JSON pointers such as /spec/replicas.' },
            },
          },
        },
      },
    },
    rollout: {
      type: 'object',
      additionalProperties: false,
      required: ['waves'],
      properties: {
        waves: {
          type: 'array',
          minItems: 1,
          description: 'The waves, in order: a wave starts when the previous one is synced, healthy and has soaked.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'selector'],
            properties: {
              name: name('wave'),
              selector: { $ref: '#/definitions/labelSelector', description: 'The clusters of this wave; a cluster goes into the first wave that matches it.' },
              maxParallel: { type: ['integer', 'string'], minimum: 1, pattern: percentPattern, description: 'A count of targets, or a percentage such as "25%".' },
              soak: duration('How long the wave must stay healthy before the next starts.'),
              approval: { enum: ['manual'], description: 'manual: the wave waits for flotilla rollout approve before it starts.' },
            },
          },
        },
        failurePolicy: { enum: ['halt', 'rollback'], default: 'halt', description: 'What a failed target does: halt the rollout, or also return its cluster to the last healthy revision.' },
      },
    },
    guard: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      description: 'Either {builtin: identity} or a denyObjects guard for the clusters matching clusters.',
      properties: {
        name: name('guard'),
        builtin: { enum: ['identity'], description: 'The built-in identity guard.' },
        clusters: { $ref: '#/definitions/labelSelector', description: 'The clusters the guard applies to; absent means every cluster.' },
        denyObjects: { $ref: '#/definitions/labelSelector', description: 'Rendered objects whose labels match block the target.' },
      },
    },
    notification: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'urlFrom', 'events'],
      properties: {
        name: name('notification'),
        type: { enum: ['slack', 'webhook'], description: 'slack: a Slack incoming webhook; webhook: a generic JSON webhook, signed when secretFrom is set.' },
        urlFrom: { ...secretSource, description: 'Where the webhook URL comes from; never a literal URL in Git.' },
        secretFrom: { ...secretSource, description: 'Where the signing secret of a generic webhook comes from.' },
        events: { type: 'array', minItems: 1, items: { enum: [...notificationEvents] }, description: 'The events sent to this receiver.' },
      },
    },
  },
} as const;

/** clusterSchema is the JSON Schema of a cluster record, `kind: Cluster` (SPEC §2.1). */
export const clusterSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://flotilla.dev/schema/cluster.schema.json',
  title: 'Flotilla cluster record (clusters/NAME/cluster.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { const: apiVersion },
    kind: { const: 'Cluster' },
    metadata: metadata('cluster'),
    spec: {
      type: 'object',
      additionalProperties: false,
      description: "The cluster's identity, connection and fingerprint.",
      properties: {
        identity: {
          type: 'object',
          propertyNames: { pattern: variablePattern },
          additionalProperties: { type: 'string' },
          description: 'Facts this cluster must prove; each key is also a substitution variable.',
        },
        connection: {
          type: 'object',
          additionalProperties: false,
          description: 'How Flotilla reaches the cluster.',
          properties: {
            context: { type: 'string', minLength: 1, description: "A context of the hub's kubeconfig (default: the cluster's name)." },
            mode: { enum: ['push', 'pull'], default: 'push', description: 'pull: an agent reconciles this cluster; the hub only observes it.' },
          },
        },
        fingerprint: { type: 'string', minLength: 1, description: 'The uid of the live kube-system namespace, written by flotilla bootstrap.' },
        kubernetesVersion: { type: 'string', pattern: '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$', description: "The cluster's Kubernetes version (1.31 or v1.31.4); Helm charts are rendered for it (helm template --kube-version)." },
      },
    },
  },
} as const;
