/**
 * @module
 * The features, in the order their menu entries, pages and sources are wired. A new feature is
 * its own folders plus one line here (see docs/architecture.md).
 */
import type { Feature } from './feature.ts';
import { evaluation } from './evaluation.ts';
import { mentorship } from './mentorship.ts';

export const FEATURES: readonly Feature[] = [evaluation, mentorship];
