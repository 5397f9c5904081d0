/** Floe's public surface. */
export * from './domain/index.js';
