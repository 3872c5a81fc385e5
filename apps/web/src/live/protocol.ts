/**
 * The live board's wire types and browser client, from libs/realtime (which keeps these files free of Nest and
 * Node so the browser bundle can take them). The one place the web app reaches into that library.
 */
export type { LiveAlert, LiveBoardCounts, LiveEphemeralEvent, LiveError, LiveIncidentSummary, LiveSnapshot } from '../../../../libs/realtime/src/live-protocol';
export type {
  CredentialFlag,
  LiveEvent,
  LiveEventMap,
  ParAcknowledgement,
  ParCounts,
  ResourceStatus,
  RosterEntry,
} from '../../../../libs/realtime/src/live-events';
export { LiveClient, type LiveConnectionState } from '../../../../libs/realtime/src/client/live-client';
