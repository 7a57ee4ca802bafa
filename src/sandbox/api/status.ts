// The Status bodies a kube-apiserver answers errors with. Their messages, reasons and details are
// what clients match on (client-node's error bodies, kubectl's messages, `IsNotFound`-style
// checks), so every constructor here mirrors one of apimachinery's `errors.NewXxx` functions.

/** StatusCause is one entry of `details.causes`: a field-level reason. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** StatusDetails is the `details` of a Status: what the failure is about. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** StatusBody is a meta/v1 Status object as the server writes it. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** ApiError is an error answered as a Status body with an HTTP code; request handlers throw it. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string | undefined, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** toStatus is the body the server writes for this error. */
  toStatus(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** GroupResource names a resource the way error messages do: `deployments.apps`, or `configmaps` in the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** qualifiedResource prints a GroupResource as messages do. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function resourceDetails(gr: GroupResource, name: string): StatusDetails {
  return { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource };
}

/** notFound is apimachinery's NewNotFound. */
export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, resourceDetails(gr, name));
}

/** alreadyExists is apimachinery's NewAlreadyExists. */
export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, resourceDetails(gr, name));
}

/** conflict is apimachinery's NewConflict (optimistic concurrency and preconditions). */
export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, resourceDetails(gr, name));
}

/** staleResourceVersion is the message of a write with an old metadata.resourceVersion. */
export const staleResourceVersion = 'the object has been modified; please apply your changes to the latest version and try again';

/** FieldError is one validation problem, as apimachinery's field.Error. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueForbidden' | 'FieldValueTypeInvalid';
  field: string;
  /** The offending value, printed as Go's %#v would for the common types. */
  value?: unknown;
  detail?: string;
}

const typeWords: Record<FieldError['type'], string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueForbidden: 'Forbidden',
  FieldValueTypeInvalid: 'Invalid value',
};

/** goValue prints a value the way field errors do (`"text"`, `3`, `map[string]string{...}`). */
export function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(', ')}}`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.every(([, v]) => typeof v === 'string')) return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  return `map[string]interface {}{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goValue(v)}`).join(', ')}}`;
}

/** fieldErrorMessage is the text of one field error without its path ("Invalid value: ...: detail"). */
export function fieldErrorMessage(e: FieldError): string {
  const word = typeWords[e.type];
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooMany':
      return e.detail ? `${word}: ${e.detail}` : word;
    case 'FieldValueNotSupported':
    case 'FieldValueDuplicate':
    case 'FieldValueTooLong':
    case 'FieldValueInvalid':
    case 'FieldValueTypeInvalid': {
      const head = e.value === undefined ? word : `${word}: ${goValue(e.value)}`;
      return e.detail ? `${head}: ${e.detail}` : head;
    }
  }
}

/**
 * invalid is apimachinery's NewInvalid: `Kind "name" is invalid: field: message`, one cause per
 * error; several errors are listed in brackets, as the real server aggregates them.
 */
export function invalid(qualifiedKind: { group: string; kind: string }, name: string, errors: FieldError[]): ApiError {
  const kindText = qualifiedKind.group ? `${qualifiedKind.kind}.${qualifiedKind.group}` : qualifiedKind.kind;
  const parts = errors.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kindText} "${name}" is invalid: ${summary}`, {
    name,
    ...(qualifiedKind.group ? { group: qualifiedKind.group } : {}),
    kind: qualifiedKind.kind,
    causes: errors.map((e) => ({ reason: e.type === 'FieldValueTypeInvalid' ? 'FieldValueInvalid' : e.type, message: fieldErrorMessage(e), field: e.field })),
  });
}

/** badRequest is apimachinery's NewBadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** forbidden is the authorizer's denial, worded as the RBAC authorizer words it. */
export function forbidden(gr: GroupResource, name: string, user: string, verb: string, resourcePath: string, namespace: string | undefined): ApiError {
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resourcePath}" in API group "${gr.group}" ${scope}`, resourceDetails(gr, name));
}

/** unauthorized is the answer to a request without valid credentials. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** methodNotAllowed is apimachinery's NewMethodNotSupported for a verb a resource does not serve. */
export function methodNotAllowed(gr: GroupResource, verb: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`, {
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.resource,
  });
}

/** unsupportedMediaType is the answer to a body whose content type the endpoint does not take. */
export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {});
}

/** notAcceptable is the answer to an Accept header the server cannot satisfy. */
export function notAcceptable(): ApiError {
  return new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml', {});
}

/** entityTooLarge is the answer to a body over the size limit. */
export function entityTooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** gone is the 410 of a watch or continue token older than the history the server keeps. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** internalError is apimachinery's NewInternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** serviceUnavailable is the answer of an overloaded or unhealthy server. */
export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** successStatus is the body of a delete that removed the object at once. */
export function successStatus(gr: GroupResource, name: string, uid: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource, uid } };
}
