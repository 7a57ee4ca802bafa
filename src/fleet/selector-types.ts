// The selector types live in manifest/ so that plan/ (guards) can share them; fleet code keeps
// importing them from here.
export type { LabelSelector, LabelSelectorRequirement } from '../manifest/index.js';
