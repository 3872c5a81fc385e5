import { Injectable, OnModuleInit } from '@nestjs/common';
import { Server, type Namespace } from 'socket.io';
import type { LiveEvent } from '../live-events';
import { incidentRoom, LIVE_NAMESPACE, type LiveClientToServerEvents, type LiveEphemeralEvent, type LiveServerToClientEvents } from '../live-protocol';
import { LiveRedisLink } from './live-redis-link';

type PublishingNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents>;
type RoomEmit = (name: string, envelope: LiveEvent | LiveEphemeralEvent) => boolean;

/**
 * Puts live events on Redis for the sockets of every api process (the "emitter" side of the fan-out). A socket.io
 * server that never listens, with the Redis adapter (Server.close() would expect an attached engine; LiveRedisLink
 * closes the connections): whatever it broadcasts to a room is published on Redis and
 * delivered by each api process's gateway to its own sockets in that room. Every process (api and worker)
 * publishes this one way, so all sockets see an incident's events in the order Redis received them.
 */
@Injectable()
export class LivePublisher implements OnModuleInit {
  private readonly io = new Server({ serveClient: false });

  constructor(private readonly link: LiveRedisLink) {}

  onModuleInit(): void {
    this.link.attach(this.io);
  }

  /** True while a publish would reach Redis; when false, callers keep their events and retry (the relay) or drop them (ephemeral). */
  get canPublish(): boolean {
    return this.link.isUp;
  }

  /** Calls `listener` whenever Redis (re)connects, so a relay can catch up at once. */
  onReady(listener: () => void): void {
    this.link.onPublisherReady(listener);
  }

  /** Sends to the incident's room. Delivery to Redis is confirmed by `fence()`, not here. */
  publish(envelope: LiveEvent | LiveEphemeralEvent): void {
    const room = this.namespace().to(incidentRoom(envelope.incidentId));
    // The envelope's name selects the payload type; socket.io's typed emit cannot follow a runtime name.
    (room.emit as unknown as RoomEmit).call(room, envelope.name, envelope);
  }

  /** True once Redis has processed everything published so far on this process's connection. */
  fence(timeoutMs?: number): Promise<boolean> {
    return this.link.fence(timeoutMs);
  }

  private namespace(): PublishingNamespace {
    return this.io.of(LIVE_NAMESPACE) as PublishingNamespace;
  }
}
