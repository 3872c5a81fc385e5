import { useEffect, useRef, useState } from 'preact/hooks';
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
}

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
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    setBoard(undefined);
    setRefusal(undefined);
    setProgress(undefined);
    if (!incidentId) return undefined;
    const client = new LiveClient({ token: () => sessionStore.value?.token ?? '' });
    setConnection(client.state);
    const stopState = client.onState((state) => {
      setConnection(state);
      // The token was refused (expired, or the user's access changed): the user must sign in again.
      if (state === 'unauthorized') signOut('Your session has ended. Sign in again.');
    });
    const subscription = client.subscribe(incidentId, {
      snapshot: (snapshot) => {
        setRefusal(undefined);
        setBoard(fromSnapshot(snapshot));
      },
      event: (event) => {
        setBoard((current) => (current ? applyEvent(current, event) : current));
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

  return { board, connection, refusal, progress };
}
