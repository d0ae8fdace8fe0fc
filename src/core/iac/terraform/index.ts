export * from './model';
export { parseTerraform, TfInputError, MAX_TF_CHARS, treeSitterAssets } from './parse';
export * from './analysis';
export { awsTypeInfo, knownAwsTypes } from './awsProviderTypes';
