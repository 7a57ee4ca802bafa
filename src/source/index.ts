export { localFs } from './local-fs.js';
export { gitRevisionFs, resolveRevision, defaultBranch, mergeBase, type GitRevisionFs, type GitRevisionFsOptions, type MergeBase } from './git-fs.js';
