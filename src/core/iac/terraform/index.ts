export * from './model';
export { parseTerraform, TfInputError, MAX_TF_CHARS, treeSitterAssets } from './parse';
export * from './analysis';
export { awsTypeInfo, knownAwsTypes } from './awsProviderTypes';
export {
  readTerraformState,
  parseStateV4,
  parseShowJson,
  TfStateError,
  type TfState,
  type TfStateResource,
} from './state';
export {
  terraformDrift,
  showValue,
  readLiveSummary,
  providerRegion,
  LIVE_MAPPINGS,
  type TfDriftReport,
  type TfResourceDrift,
  type TfAttributeDrift,
  type TfDriftOptions,
} from './drift';
export { TfEvaluator, type TfInstanceContext } from './evaluate';
export {
  parseVariableFile,
  readVariableFiles,
  resolveVariables,
  literalValue,
  autoVariableFileOrder,
  MAX_TFVARS_CHARS,
  type TfEvaluated,
  type TfVariables,
  type TfVariableFile,
} from './variables';
