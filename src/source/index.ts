export { localFs } from './local-fs.js';
export { gitRevisionFs, resolveRevision, defaultBranch, mergeBase, type GitRevisionFs, type GitRevisionFsOptions, type MergeBase } from './git-fs.js';
export { GitSource, redactUrl, splitUserinfo, type GitSourceOptions, type GitCredentials, type GitRevision, type SecretRef } from './git.js';
