// Proactive insights: sources, the runner, dismissals, settings and the chat answer.
export * from './answer';
export * from './dismissals';
export * from './fingerprint';
export * from './runner';
export * from './settings';
export * from './sources';
export * from './types';
