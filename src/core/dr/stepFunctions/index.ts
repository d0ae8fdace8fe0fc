export * from './compile';
export * from './follow';
export * from './hash';
export * from './policy';
export * from './service';
export * from './template';
export * from './sidecar';
