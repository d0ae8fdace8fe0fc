/** The visual recovery-plan editor's view type and commands (shared by the registration and the editor). */
export const RECOVERY_PLAN_EDITOR_VIEW_TYPE = 'pilotLight.recoveryPlanEditor';

export const RECOVERY_PLAN_EDITOR_COMMANDS = {
  openVisual: 'pilotLight.dr.openPlanInVisualEditor',
  openText: 'pilotLight.dr.openPlanAsText',
  openGroup: 'pilotLight.dr.showProtectionGroup',
} as const;
