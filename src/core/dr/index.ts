/** Disaster-recovery engine: model, parsing, preflight, planning, runner, journal, results, bundles. Free of `vscode`. */
export * from './model';
export * from './schema';
export * from './parse';
export * from './migrate';
export * from './graph';
export * from './selection';
export * from './aws';
export * from './gateway';
export * from './planner';
export * from './preflight';
export * from './poller';
export * from './state';
export * from './journal';
export * from './runner';
export * from './results';
export * from './bundle';
export * from './workspace';
