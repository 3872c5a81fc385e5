import { useEffect, useRef, useState } from 'preact/hooks';
import { BOARDS, get, put } from '../offline/idb';
import { sessionStore, signOut } from '../session';
import { applyEvent, fromSnapshot, type BoardState } from './board-state';
import { LiveClient, type LiveConnectionState, type LiveEphemeralEvent, type LiveError, type LiveEvent } from './protocol';

export interface LiveBoard {
  board: BoardState | undefined;
  connection: LiveConnectionState;
  /** The server refused the subscription (no access, unknown incident). */
  refusal: LiveError | undefined;
  /** The latest reverification progress for this incident, if one is running. */
  progress: LiveEphemeralEvent<'reverify.progress'>['payload'] | undefined;
  /** When the board was last brought up to date (snapshot or event); the stored time for a board read from the device. */
  asOf: string | undefined;
  /** The board shown is the one stored on this device (no snapshot received since the page opened). */
  fromDevice: boolean;
}

interface StoredBoard {
  incidentId: string;
  board: BoardState;
  asOf: string;
}

/** Stores are batched: a burst of events writes once. */
const STORE_DELAY_MS = 1000;

/**
 * The incident's board, live: snapshot first, then every event in order. The realtime client reconnects with a
 * fresh token, resyncs missed events after a drop and reports online/offline; `onEvent` sees each applied event
 * (the page beeps on a flagged credential).
 */
export function useLiveBoard(incidentId: string | undefined, onEvent?: (event: LiveEvent) => void): LiveBoard {
  const [board, setBoard] = useState<BoardState | undefined>(undefined);
  const [connection, setConnection] = useState<LiveConnectionState>('connecting');
  const [refusal, setRefusal] = useState<LiveError | undefined>(undefined);
  const [progress, setProgress] = useState<LiveBoard['progress']>(undefined);
  const [asOf, setAsOf] = useState<string | undefined>(undefined);
  const [fromDevice, setFromDevice] = useState(false);
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    setBoard(undefined);
    setRefusal(undefined);
    setProgress(undefined);
    setAsOf(undefined);
    setFromDevice(false);
    if (!incidentId) return undefined;
    let live = false;
    // The board stored on this device, until the server's snapshot arrives (a reload with no network shows it).
    void get<StoredBoard>(BOARDS, incidentId)
      .then((stored) => {
        if (!stored || live) return;
        setBoard(stored.board);
        setAsOf(stored.asOf);
        setFromDevice(true);
      })
      .catch(() => undefined);
    const client = new LiveClient({ token: () => sessionStore.value?.token ?? '' });
    setConnection(client.state);
    const stopState = client.onState((state) => {
      setConnection(state);
      // The token was refused (expired, or the user's access changed): the user must sign in again.
      if (state === 'unauthorized') signOut('Your session has ended. Sign in again.');
    });
    const subscription = client.subscribe(incidentId, {
      snapshot: (snapshot) => {
        live = true;
        setRefusal(undefined);
        setBoard(fromSnapshot(snapshot));
        setAsOf(new Date().toISOString());
        setFromDevice(false);
      },
      event: (event) => {
        setBoard((current) => (current ? applyEvent(current, event) : current));
        setAsOf(new Date().toISOString());
        onEventRef.current?.(event);
      },
      ephemeral: (event) => {
        if (event.name === 'reverify.progress') setProgress(event.payload as LiveBoard['progress']);
      },
      error: (error) => setRefusal(error),
    });
    return () => {
      stopState();
      subscription.close();
      client.close();
    };
  }, [incidentId]);

  // Keeps the live board (and its event position, board.seq) on the device; never one read back from it.
  useEffect(() => {
    if (!board || !asOf || fromDevice || board.incidentId !== incidentId) return undefined;
    const timer = setTimeout(() => {
      put([{ store: BOARDS, value: { incidentId: board.incidentId, board, asOf } satisfies StoredBoard }]).catch(() => undefined);
    }, STORE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [board, asOf, fromDevice, incidentId]);

  return { board, connection, refusal, progress, asOf, fromDevice };
}

/**
 * Calls `reconnected` each time the live feed comes back online after a drop (not when it first connects): what a
 * page reads outside the feed, and events the feed does not replay to it, are read again then.
 */
export function useOnReconnect(connection: LiveConnectionState, reconnected: () => void): void {
  const wasOnline = useRef(false);
  const callback = useRef(reconnected);
  callback.current = reconnected;
  useEffect(() => {
    if (connection !== 'online') return;
    if (wasOnline.current) callback.current();
    wasOnline.current = true;
  }, [connection]);
}
