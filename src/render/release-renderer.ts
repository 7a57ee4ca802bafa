import { buildKustomization } from './kustomize/build.js';
import { createBuildCache } from './kustomize/cache.js';
import { substituteObjects } from './substitute.js';

/**
 * releaseRenderer bundles what rendering a fleet target needs from this area: the kustomize
 * build, post-render substitution and a cache shared across targets. fleet/'s renderTarget takes
 * it as its `renderer` (fleet may not import render/ itself).
 */
export const releaseRenderer = {
  build: buildKustomization,
  substitute: substituteObjects,
  createCache: createBuildCache,
};
