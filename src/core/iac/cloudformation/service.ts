/** Everything the editor adapters use, loaded in one dynamic import on first use. */
export { templateDiagnostics, type TemplateDiagnostic } from './diagnostics';
export {
  completionsAt,
  definitionAt,
  documentSymbols,
  hoverAt,
  referencesAt,
  type TemplateCompletion,
  type TemplateSymbol,
} from './language';
export { loadCfnEnums, type CfnEnums } from './languageEnums';
export { parseTemplate, type CfnTemplate } from './template';
export { loadCfnTypeKnowledge, type CfnTypeKnowledge } from './typeKnowledge';
