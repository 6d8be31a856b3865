// Workspace sync: manifest, ignore rules, plan (diff), transfer (tar over one exec channel).
export { FileSyncStateStore, type RemoteRecord, type RemoteState, type SyncStateStore } from './syncState';
export type { ExcludedPath, ExclusionReason } from './syncEntry';
export { describeExclusion } from './exclusionSummary';
export { WorkspaceTracker } from './workspaceTracker';
export { REMOTE_WORKSPACES, remoteWorkspaceDir, workspaceId } from './workspaceId';
export {
  syncWorkspace,
  type RemoteRunner,
  type SyncPhase,
  type SyncProgress,
  type SyncResult,
  type WorkspaceSyncOptions,
} from './workspaceSync';
