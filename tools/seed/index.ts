export {
  seedSampleAccount,
  type SampleAccountSummary,
  type SampleServerSummary,
  type SampleRole,
} from './sampleAccount';
export { seedScale, type ScaleSeedOptions, type ScaleSeedSummary } from './scale';
export type { SeedTarget } from './target';
