import type { KubeObject } from '../manifest/index.js';
import { stringAt, valueAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessService judges a Service: one of type LoadBalancer is Progressing until the cloud gives it
 * an ingress address; every other Service is Healthy once it exists.
 */
export function assessService(object: KubeObject): HealthAssessment {
  if (stringAt(object, 'spec.type') !== 'LoadBalancer') return { status: 'Healthy', message: 'exists' };
  const ingress = valueAt(object, 'status.loadBalancer.ingress');
  const addresses = Array.isArray(ingress)
    ? ingress.map((i) => (i && typeof i === 'object' ? String((i as Record<string, unknown>).ip ?? (i as Record<string, unknown>).hostname ?? '') : '')).filter(Boolean)
    : [];
  if (addresses.length === 0) return { status: 'Progressing', message: 'waiting for the load balancer to get an address' };
  return { status: 'Healthy', message: `load balancer at ${addresses.join(', ')}` };
}
