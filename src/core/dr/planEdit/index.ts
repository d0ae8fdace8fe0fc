/** The visual recovery-plan editor's core: intents as minimal YAML edits, and the view of a plan text. */
export * from './textEdit';
export * from './intents';
export * from './view';
export * from './groupReport';
