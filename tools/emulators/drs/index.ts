export { DrsEmulator, startDrsEmulator, type DrsEmulatorOptions, type RunningDrsEmulator } from './server';
export { startGateway, isDrsRequest, type GatewayOptions, type RunningGateway } from './gateway';
export { DrsEmulatorAdmin, DrsAdminError } from './adminClient';
export {
  DEFAULT_PHASE_DURATIONS_MS,
  MIN_PHASE_MS,
  type ClockSettings,
  type ClockState,
  type PhaseDurations,
} from './clock';
export { DRS_LIMITS } from './operations';
export { DRS_MANAGED_TAG, DRS_SOURCE_SERVER_TAG } from './ec2Launcher';
export { newSourceServerId } from './ids';
export * from './adminTypes';
