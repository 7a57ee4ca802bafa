export { localFs } from './local-fs.js';
