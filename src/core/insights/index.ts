// Read-only insights over AWS data read through the operation registry: facts, /security and /unused.
export * from './facts';
export * from './prices';
export * from './reads';
export * from './security';
export * from './unused';
