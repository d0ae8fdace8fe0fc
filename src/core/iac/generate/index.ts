export { generateCloudFormation, type GeneratedTemplate, type GenerateOptions } from './cloudformation';
export { generateTerraform } from './terraform';
export {
  readLiveResources,
  LIVE_KIND_OF_EXPLORER_TYPE,
  MAX_GENERATED_RESOURCES,
  type LiveKind,
  type LiveResource,
} from './live';
export { hclString, hclValue, hclBlock } from './hcl';
