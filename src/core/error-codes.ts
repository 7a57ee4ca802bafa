/**
 * errorCodes is the registry of every stable error code Flotilla reports. The CLI maps a code
 * to its exit status, the API to its HTTP status, and `docs/errors.md` is generated from this
 * table (a test keeps the two in step). Codes are never renamed once released: scripts match on them.
 */
export const errorCodes = {
  // ---- generic
  INTERNAL: { exit: 1, http: 500, summary: 'An unexpected failure inside Flotilla.', hint: 'Report it with the command and its output; this is a bug.' },
  USAGE: { exit: 1, http: 400, summary: 'A command was called with missing or invalid arguments.', hint: 'Run the command with --help to see its arguments.' },
  FILE_NOT_FOUND: { exit: 1, http: 404, summary: 'A file or directory that was named does not exist.', hint: 'Check the path; relative paths are resolved from the directory that names them.' },
  FILE_TOO_LARGE: { exit: 1, http: 413, summary: 'A file is larger than Flotilla reads.', hint: 'Split the file; manifests and fleet files should stay well under the limit.' },
  FILE_NOT_TEXT: { exit: 1, http: 400, summary: 'A file that should be YAML or text is binary or not valid UTF-8.', hint: 'Check that the path names a text file saved as UTF-8.' },
  FILE_UNREADABLE: { exit: 1, http: 400, summary: 'A file exists but cannot be read: it is a FIFO, socket or device rather than a regular file, a loop of symbolic links, or permissions forbid it.', hint: 'Replace it with a regular file (check with `ls -l` and `stat`), or fix its permissions.' },
  PATH_OUTSIDE_ROOT: { exit: 1, http: 400, summary: 'A path leaves the directory it must stay in (by `..` or a symbolic link).', hint: 'Keep referenced files inside the kustomization or repository root, or move the file there.' },
  YAML_PARSE: { exit: 1, http: 400, summary: 'A YAML document could not be parsed.', hint: 'Fix the syntax at the line and column given.' },
  YAML_ALIAS_LIMIT: { exit: 1, http: 400, summary: 'A YAML document expands too many aliases (an alias bomb).', hint: 'Remove the repeated anchors and aliases; manifests do not need them.' },
  YAML_NOT_OBJECT: { exit: 1, http: 400, summary: 'A YAML document is not a Kubernetes object (a map with apiVersion, kind and metadata.name).', hint: 'Each document in a resource file must be one Kubernetes object or a List of them.' },
  // ---- renderer (kustomize-compatible build)
  RENDER_KUSTOMIZATION_NOT_FOUND: { exit: 1, http: 400, summary: 'A directory given to build, or listed in resources or components, has no kustomization file.', hint: 'Add kustomization.yaml to the directory, or list the files in it instead of the directory.' },
  RENDER_KUSTOMIZATION_INVALID: { exit: 1, http: 400, summary: 'A kustomization file has an unknown field or a field of the wrong type.', hint: 'Check the field name and type against the kustomize v5 reference.' },
  RENDER_RESOURCE_NOT_FOUND: { exit: 1, http: 400, summary: 'A file or directory listed in a kustomization does not exist.', hint: 'Fix the path; it is relative to the kustomization file.' },
  RENDER_DUPLICATE_ID: { exit: 1, http: 400, summary: 'Two resources have the same kind, namespace and name.', hint: 'Remove one, or give them different names or namespaces (use a patch to change the base one).' },
  RENDER_CYCLE: { exit: 1, http: 400, summary: 'Kustomizations include each other in a cycle.', hint: 'Remove the reference that points back to a kustomization already being built.' },
  RENDER_COMPONENT_AS_RESOURCE: { exit: 1, http: 400, summary: 'A Component kustomization is listed under resources.', hint: 'List it under components instead.' },
  RENDER_GENERATOR_INVALID: { exit: 1, http: 400, summary: 'A configMapGenerator or secretGenerator entry is invalid (bad source, merge without a base, duplicate key).', hint: 'Check the generator entry named in the message.' },
  RENDER_PATCH_INVALID: { exit: 1, http: 400, summary: 'A patch could not be read or applied.', hint: 'Check the patch file and its operations.' },
  RENDER_PATCH_TARGET_NOT_FOUND: { exit: 1, http: 400, summary: 'A patch names a resource that is not in the build.', hint: 'Check the kind and name in the patch; use the name the base gives, before prefixes and suffixes.' },
  RENDER_TRANSFORMER_INVALID: { exit: 1, http: 400, summary: 'A transformer field (replicas, images, replacements, labels, namespace) is invalid or names nothing.', hint: 'Check the entry named in the message.' },
  RENDER_REPLACEMENT_SOURCE_NOT_FOUND: { exit: 1, http: 400, summary: 'A replacement source selects no resource or no field.', hint: 'Check the source selector and fieldPath of the replacement.' },
  RENDER_UNSUPPORTED: { exit: 1, http: 400, summary: 'The kustomization uses a feature Flotilla does not build (remote resources, plugins, Helm inflation through kustomize).', hint: 'Vendor the remote resource into the repository, or use a Flotilla helm release.' },
  // ---- plan, explain and Git revisions
  GIT_FAILED: { exit: 1, http: 500, summary: 'A git command failed, or the directory is not inside a Git repository.', hint: 'Run the command from (or point --fleet at) a Git checkout, and check that git is installed.' },
  GIT_REVISION_NOT_FOUND: { exit: 1, http: 404, summary: 'A Git revision (branch, tag, commit) that was named does not exist in the repository.', hint: 'Check the name with `git rev-parse REV`; fetch the branch first if it lives on a remote.' },
  EXPLAIN_OBJECT_NOT_FOUND: { exit: 1, http: 404, summary: 'No release renders the object that explain was asked about for that cluster.', hint: 'Check the kind, namespace and name with `flotilla render --cluster C`.' },
  EXPLAIN_OBJECT_AMBIGUOUS: { exit: 1, http: 400, summary: 'The object reference given to explain matches several rendered objects.', hint: 'Name the namespace too: KIND/NAMESPACE/NAME.' },
  EXPLAIN_FIELD_NOT_FOUND: { exit: 1, http: 404, summary: 'The object has no field at the path given to explain --field.', hint: 'Run explain without --field to list every field of the object.' },
  // ---- sync: inventory
  INVENTORY_INVALID: { exit: 1, http: 500, summary: 'A release inventory (ConfigMap flotilla-inv-<release> in flotilla-system) in a cluster cannot be read.', hint: 'Nothing is pruned for that release until the inventory reads again. Delete the ConfigMap to start a fresh one at the next sync (objects only it listed are then left in place), or restore it from its last good content.' },
  INVENTORY_TOO_LARGE: { exit: 1, http: 413, summary: 'A release has more objects than one inventory ConfigMap can list (1 MiB).', hint: 'Split the release into several releases.' },
  // ---- fleet file, cluster records, targets, substitution and guards
  FLEET_NOT_FOUND: { exit: 1, http: 404, summary: 'The directory has no fleet file (flotilla.yaml).', hint: 'Run the command in the fleet repository or pass --fleet DIR.' },
  FLEET_INVALID: { exit: 1, http: 400, summary: 'The fleet file has an unknown field, a field of the wrong type or value, or a release without exactly one of path and helm.', hint: 'Fix the field named in the message; docs/schema/fleet.schema.json is the full schema (editors can validate with it).' },
  FLEET_CLUSTER_INVALID: { exit: 1, http: 400, summary: 'A cluster record has an unknown field, a field of the wrong type, or invalid labels or identity.', hint: 'Fix the field named in the message; docs/schema/cluster.schema.json is the full schema.' },
  FLEET_DUPLICATE_NAME: { exit: 1, http: 400, summary: 'Two clusters, releases, guards, waves or notifications have the same name.', hint: 'Give each a unique name.' },
  FLEET_UNKNOWN_REFERENCE: { exit: 1, http: 400, summary: 'A dependsOn, targets.clusters or targets.exclude entry names a release or cluster that does not exist.', hint: 'Correct the name, or add the release or cluster record it names.' },
  FLEET_DEPENDENCY_CYCLE: { exit: 1, http: 400, summary: 'Releases depend on each other in a cycle, so none of them could ever sync first.', hint: 'Remove one dependsOn entry of the cycle the message shows.' },
  FLEET_SELECTOR_INVALID: { exit: 1, http: 400, summary: 'A label selector or label map is invalid (bad label syntax, In/NotIn without values, Exists with values, a guard that matches everything).', hint: 'Use Kubernetes label syntax; In and NotIn need values, Exists and DoesNotExist take none.' },
  FLEET_PATH_OUTSIDE_REPOSITORY: { exit: 1, http: 400, summary: 'A release path or values file resolves outside the repository (by "..", an absolute path, a template value or a symbolic link).', hint: 'Keep release paths relative to the repository root and inside it.' },
  FLEET_RELEASE_PATH_NOT_FOUND: { exit: 1, http: 400, summary: 'The directory a release path names (after templates) does not exist for a target cluster.', hint: 'Create the directory, fix the path, or exclude the cluster from the release.' },
  FLEET_TEMPLATE_INVALID: { exit: 1, http: 400, summary: 'A template is malformed, names an unknown key, or appears in a field that is not templated.', hint: 'Use {{cluster.name}}, {{cluster.labels.KEY}}, {{cluster.identity.KEY}} or {{release.name}} in path, helm.valuesFiles, helm.values, substitute values or repo.' },
  FLEET_TEMPLATE_UNDEFINED: { exit: 1, http: 400, summary: 'A template names a label or identity key that the target cluster does not have (never an empty string).', hint: 'Add the label or identity key to the cluster record, or exclude the cluster from the release.' },
  FLEET_VARIABLE_CONFLICT: { exit: 1, http: 400, summary: "A release's substitute sets a variable that the cluster identity (or CLUSTER_NAME) already defines.", hint: 'Rename the substitute variable; identity facts cannot be overridden by a release.' },
  FLEET_REPO_UNAVAILABLE: { exit: 1, http: 400, summary: 'A release lives in another Git repository that this command cannot read.', hint: 'Clone the repository and name the clone by path (relative to the fleet) or as a file:// URL, for render, plan and sync. No command fetches other repositories yet, and the hub and the agent read releases from the fleet repository only.' },
  // ---- init and bootstrap (scaffolding a fleet repository, onboarding a cluster)
  INIT_FILE_EXISTS: { exit: 1, http: 409, summary: 'flotilla init would overwrite files that already exist in the directory; nothing was written.', hint: 'Run init in an empty directory (or a new one), or move the files it names out of the way.' },
  BOOTSTRAP_CLUSTER_EXISTS: { exit: 1, http: 409, summary: 'flotilla bootstrap was given a cluster name that the fleet already has, or whose directory already exists; nothing was written.', hint: 'Pick another name, or remove the old cluster record and its directory first if the cluster is really being replaced.' },
  BOOTSTRAP_TEMPLATE_INVALID: { exit: 1, http: 400, summary: "The fleet's cluster template (spec.clusterTemplate.path) is missing, empty, holds a cluster.yaml, or expands to a file that is not valid YAML.", hint: 'Fix the template directory named in the message; quote YAML values that start with a template ("{{cluster.name}}").' },
  RENDER_SUBSTITUTION_UNDEFINED: { exit: 1, http: 400, summary: 'A rendered object uses ${VAR} for a variable that is not defined and has no default (substitution is strict).', hint: 'Define the variable in the release substitute or the cluster identity, give a default with ${VAR:=value}, write $${VAR} for a literal, or annotate the object flotilla.dev/substitute: disabled.' },
  RENDER_SUBSTITUTION_INVALID: { exit: 1, http: 400, summary: 'A rendered object holds a ${...} expression that is malformed or not supported.', hint: 'Fix the expression, write $${...} for a literal, or annotate the object flotilla.dev/substitute: disabled.' },
  GUARD_BLOCKED: { exit: 3, http: 409, summary: 'A guard blocked a target: its rendered objects do not belong on that cluster (identity, residency), or the live cluster is not the one the record names.', hint: 'Read the guard and object in the message; fix the overlay or the cluster record. Nothing was written to that cluster.' },
  // ---- helm releases
  HELM_NOT_FOUND: { exit: 1, http: 500, summary: 'A Helm release needs the helm command (version 3 or 4) and none was found, or the one found is not helm 3 or 4.', hint: 'Install helm 3 or 4 (https://helm.sh/docs/intro/install/) so that it is on PATH, or point --helm PATH or FLOTILLA_HELM at the binary.' },
  HELM_CHART_NOT_FOUND: { exit: 1, http: 400, summary: 'The chart of a Helm release does not exist: a directory without Chart.yaml, a chart or version the chart repository does not list, or a version outside the release\'s range.', hint: 'Fix helm.chart or the version; for a chart repository, check the name and the versions its index.yaml lists.' },
  HELM_REPO_UNAVAILABLE: { exit: 1, http: 502, summary: 'A chart repository or chart archive could not be fetched (connection, HTTP status, size limit, or an index.yaml that does not parse).', hint: 'Check the URL in helm.chart and that the repository is reachable; it is tried again on the next render.' },
  HELM_CHART_DIGEST_MISMATCH: { exit: 1, http: 502, summary: 'A downloaded chart archive does not have the digest the repository index lists for it.', hint: 'The archive was changed or corrupted in transit; do not use it until the repository owner republishes it with a matching index.' },
  HELM_VALUES_NOT_FOUND: { exit: 1, http: 400, summary: 'A values file of a Helm release does not exist for a target cluster and is not listed in optionalValuesFiles.', hint: 'Create the file, fix helm.valuesFiles, or list the file in helm.optionalValuesFiles as well.' },
  HELM_VALUES_INVALID: { exit: 1, http: 400, summary: 'A values file (or the chart\'s values.yaml) is not a YAML map, or optionalValuesFiles names a file that valuesFiles does not list.', hint: 'A values file holds one YAML map; list optional files in valuesFiles too, so their place in the merge order is known.' },
  HELM_TEMPLATE_FAILED: { exit: 1, http: 400, summary: 'helm template failed for a target (a template error, a failed required or fail, a missing dependency), or printed something that is not Kubernetes objects; the message is helm\'s.', hint: 'Fix the chart or the values as helm\'s message says; `helm template` with the same values shows the same error.' },
  // ---- clusters and sync
  KUBECONFIG_INVALID: { exit: 1, http: 500, summary: 'The kubeconfig (--kubeconfig or KUBECONFIG) cannot be read, or names no cluster or user for a context.', hint: 'Check the file with `kubectl config view --kubeconfig FILE`; each cluster record needs a context of that file.' },
  KUBE_CONTEXT_NOT_FOUND: { exit: 1, http: 500, summary: "A cluster record's spec.connection.context is not a context of the kubeconfig.", hint: 'Add the context to the kubeconfig (`kubectl config get-contexts` lists them), or fix spec.connection.context in the cluster record.' },
  KUBE_UNREACHABLE: { exit: 1, http: 503, summary: 'A cluster did not answer: connection refused or reset, a name that does not resolve, a TLS failure or a timeout.', hint: 'Check that the API server is up and reachable from here; Flotilla retries with backoff and reports the cluster as Unreachable meanwhile.' },
  KUBE_REQUEST_FAILED: { exit: 1, http: 502, summary: 'The API server refused a request (invalid object, forbidden, conflict, server error); the message quotes its reason.', hint: 'Read the reason the server gave for the object named; fix the manifest or the credentials (RBAC) of the context.' },
  KUBE_KIND_NOT_SERVED: { exit: 1, http: 400, summary: 'A rendered object has an apiVersion and kind the cluster does not serve, and no CustomResourceDefinition in the release defines it.', hint: 'Install the CRD first (in this release or one it dependsOn), or fix the apiVersion; `kubectl api-resources` lists what the cluster serves.' },
  KUBE_CRD_NOT_ESTABLISHED: { exit: 1, http: 504, summary: 'A CustomResourceDefinition did not become Established in time, so its custom resources were not applied.', hint: 'Check the CRD with `kubectl describe crd NAME` (its NamesAccepted and Established conditions).' },
  SYNC_HEALTH_TIMEOUT: { exit: 1, http: 504, summary: 'A sync waited for its objects to become healthy and timed out; the message lists every object still unhealthy.', hint: 'Look at the objects listed (kubectl describe) or raise the release timeout.' },
  SYNC_DEPENDENCY_NOT_READY: { exit: 1, http: 409, summary: 'A release was not synced on a cluster because a release it dependsOn is not healthy there.', hint: 'Fix the release named in the message; the dependent release follows on the next sync.' },
  GIT_FETCH_FAILED: { exit: 1, http: 502, summary: 'The Git source could not be cloned or fetched; the last good revision stays in use.', hint: 'Check the URL, the branch and the credentials (never put them in the URL; use the env or file settings).' },
  // ---- hub: history store, API, webhooks, notifications
  HUB_DATA_LOCKED: { exit: 1, http: 500, summary: 'Another hub already uses the data directory (one hub per --data directory); its lock file names the process.', hint: 'Stop the other hub or give this one its own --data directory. A lock left by a process that no longer runs is taken over by itself.' },
  HUB_STORE_FAILED: { exit: 1, http: 500, summary: "The hub's history database under --data cannot be opened or written (permissions, a full disk, a damaged file, or a schema written by a newer Flotilla).", hint: 'Check the directory named in the message; a database from a newer Flotilla needs that version (or a fresh --data directory).' },
  HUB_TOKENS_INVALID: { exit: 1, http: 500, summary: 'The API tokens file (--tokens or FLOTILLA_TOKENS) cannot be read, or an entry has a missing name, an unknown role, neither or both of token and sha256, or an agent without cluster.', hint: 'Fix the entry named in the message; docs/hub.md shows the format. Until it reads, every API request is refused (401).' },
  API_UNAUTHORIZED: { exit: 1, http: 401, summary: 'An API request has no bearer token, or a token the hub does not know.', hint: 'Send `Authorization: Bearer TOKEN` with a token from the hub\'s tokens file (--token or FLOTILLA_TOKEN for the CLI).' },
  API_FORBIDDEN: { exit: 1, http: 403, summary: "The token's role may not do what the request asks (viewer < operator < admin; an agent token reports only for its own cluster).", hint: 'Use a token with the role the route needs; docs/hub.md lists the roles of every route.' },
  API_NOT_FOUND: { exit: 1, http: 404, summary: 'The API has no such route, cluster, release or rollout.', hint: 'Check the name; GET /api/v1/clusters and /api/v1/rollouts list what exists.' },
  API_BODY_TOO_LARGE: { exit: 1, http: 413, summary: 'A request body is larger than the hub accepts on that route.', hint: 'Send a smaller body; webhook payloads and agent reports are limited to 1 MiB by default.' },
  WEBHOOK_SIGNATURE_INVALID: { exit: 1, http: 401, summary: 'A Git webhook has a missing or wrong signature (GitHub X-Hub-Signature-256) or token (GitLab X-Gitlab-Token), or the hub has no webhook secret.', hint: 'Give the Git host the same secret as the hub (--webhook-secret-file or FLOTILLA_WEBHOOK_SECRET) and choose content type application/json.' },
  WEBHOOK_DUPLICATE_DELIVERY: { exit: 1, http: 409, summary: 'A Git webhook delivery id was already received: the request is a replay and is ignored.', hint: 'Nothing to do for a replay; the next push or the --interval fetch picks up changes.' },
  NOTIFY_SECRET_UNAVAILABLE: { exit: 1, http: 500, summary: "A notification's urlFrom or secretFrom names an environment variable that is not set, or a file that cannot be read or is empty.", hint: 'Set the variable or create the file on the hub; URLs and secrets never come from Git.' },
  NOTIFY_DELIVERY_FAILED: { exit: 1, http: 502, summary: 'A notification could not be delivered after its retries (or the receiver refused it); a dead letter was recorded in the history.', hint: 'Check the receiver; GET /api/v1/dead-letters lists the dead letters with the last error (the URL is never shown).' },
  // ---- pull-mode agent
  AGENT_CLUSTER_NOT_IN_FLEET: { exit: 1, http: 404, summary: 'The cluster an agent was started for (--cluster) has no cluster record in the fleet repository at the fetched revision.', hint: 'Give --cluster the metadata.name of a cluster record, or add the record (flotilla bootstrap); the agent keeps the last good revision meanwhile.' },
  // ---- rollouts
  ROLLOUT_COMMAND_IGNORED: { exit: 1, http: 409, summary: 'A rollout command does not apply to where the rollout stands: approve when no wave waits for approval, pause when paused, resume when neither paused nor halted, or any command to a finished rollout.', hint: 'Run `flotilla rollout status RELEASE` to see the phase and the wave waiting; the event history records every ignored command.' },
  ROLLOUT_STORE_FAILED: { exit: 1, http: 500, summary: 'The rollout state or a pinned revision\'s snapshot cannot be read or written.', hint: 'Check the directory or database named in the message (permissions, a full disk); the rollout keeps running from memory and is written again at its next step.' },
  HUB_UNREACHABLE: { exit: 1, http: 502, summary: 'The hub named by --hub did not answer (connection refused, a name that does not resolve, a timeout).', hint: 'Check the --hub URL and that `flotilla serve` runs there; it prints `listening on http://HOST:PORT` when it is ready.' },
  HUB_REQUEST_FAILED: { exit: 1, http: 502, summary: 'The hub answered a request with an error the command does not expect; the message quotes the hub\'s answer.', hint: 'Read the hub\'s message; its log has the details of the request.' },
  // ---- sandbox
  SANDBOX_START_FAILED: { exit: 1, http: 500, summary: 'A sandbox cluster could not start.', hint: 'Check that the port is free and the directory is writable.' },
  SANDBOX_NOT_RUNNING: { exit: 1, http: 404, summary: 'No sandbox runs for the given directory.', hint: 'Start one with `flotilla sandbox up --dir DIR`.' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** ErrorCodeInfo describes one code: its process exit status, HTTP status, summary and the usual remedy. */
export interface ErrorCodeInfo {
  exit: number;
  http: number;
  summary: string;
  hint: string;
}

/** ErrorCode is one of the registered codes. */
export type ErrorCode = keyof typeof errorCodes;
