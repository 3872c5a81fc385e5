import request from 'supertest';
import type { LiveEvent, LiveEventMap } from '@app/realtime';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { connectLive, eventually, recordEvents, type LiveTestSocket } from './support/live-harness';
import { checkInMany } from './support/accountability';

/**
 * Acknowledgements of one PAR arriving at once share transactions (group commit). Each request is still accepted or
 * refused as a whole, nobody counts twice, every accepted request has its own audit entry, and each group has one
 * board event naming its people (who acknowledged them and how) whose counts, in sequence order, rise one group at a
 * time to the final counts.
 */
jest.setTimeout(120_000);

describe('PAR: acknowledgements arriving together', () => {
  let world: World;
  let incidentId: string;
  let commander: { token: string };
  let station: { token: string };
  let people: string[];
  let socket: LiveTestSocket;
  let events: LiveEvent[];

  beforeAll(async () => {
    world = await startWorld('pargroup', { listen: true });
    incidentId = (await createIncident(world.http, world.adminToken, { name: 'PAR Group Commit' })).id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    station = await staffFor(world.http, world.adminToken, incidentId, 'checkin');
    people = await checkInMany(world, incidentId, 24, 'Grouped');
    socket = await connectLive(world.api.url!, commander.token);
    events = recordEvents(socket);
    expect((await socket.emitWithAck('subscribe', { incidentId })).ok).toBe(true);
  });

  afterAll(async () => {
    socket?.close();
    await world?.close();
  });

  it('accepts or refuses each request whole, counts everyone once, keeps an audit entry per accepted request and one event per group', async () => {
    const started = await request(world.http)
      .post(`/incidents/${incidentId}/pars`)
      .set(...bearer(commander.token))
      .send({ reason: 'evacuation' })
      .expect(201);
    const parId = started.body.id as string;
    // 24 people in 12 pairs, each pair sent twice, plus 12 requests overlapping two pairs: 36 requests at once, every
    // third one by a check-in station (recorded as a scan), the others on the commander's board.
    const pairs = Array.from({ length: 12 }, (_, i) => people.slice(2 * i, 2 * i + 2));
    const overlapping = Array.from({ length: 12 }, (_, i) => [people[2 * i + 1], people[(2 * i + 2) % 24]]);
    const bodies = [...pairs, ...pairs, ...overlapping];
    const viaOf = (i: number): 'scan' | 'board' => (i % 3 === 0 ? 'scan' : 'board');
    const answers = await Promise.all(
      bodies.map((deploymentIds, i) =>
        request(world.http)
          .post(`/incidents/${incidentId}/pars/${parId}/acknowledgements`)
          .set(...bearer(viaOf(i) === 'scan' ? station.token : commander.token))
          .send({ deploymentIds }),
      ),
    );
    const accepted = bodies.filter((_, i) => answers[i].status === 200);
    const expectedVia = new Map(bodies.flatMap((ids, i) => (answers[i].status === 200 ? ids.map((id) => [id, viaOf(i)] as const) : [])));
    const refused = answers.filter((a) => a.status !== 200);
    // Refused: someone of the request already counted, or everyone was (the PAR completed itself).
    for (const a of refused) expect([a.status, ['par_already_marked', 'par_not_running'].includes(a.body.code as string)]).toEqual([409, true]);
    // Whole requests only: the accepted ones never share a person, and the PAR counts exactly them.
    const counted = accepted.flat();
    expect(new Set(counted).size).toBe(counted.length);
    const during = await request(world.http)
      .get(`/incidents/${incidentId}/pars/${parId}`)
      .set(...bearer(commander.token))
      .expect(200);
    const accountedNow = (during.body.members as Array<{ deploymentId: string; state: string }>)
      .filter((m) => m.state === 'accounted')
      .map((m) => m.deploymentId);
    expect(accountedNow.sort()).toEqual([...counted].sort());
    expect(during.body.par.counts.accounted).toBe(counted.length);
    // Whoever an overlapping request left out is accounted for last, which completes the PAR.
    const rest = people.filter((p) => !counted.includes(p));
    if (rest.length > 0) {
      await request(world.http)
        .post(`/incidents/${incidentId}/pars/${parId}/acknowledgements`)
        .set(...bearer(commander.token))
        .send({ deploymentIds: rest })
        .expect(200);
      accepted.push(rest);
      for (const id of rest) expectedVia.set(id, 'board');
    }

    const final = await request(world.http)
      .get(`/incidents/${incidentId}/pars/${parId}`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(final.body.par).toMatchObject({ state: 'completed', counts: { expected: 24, accounted: 24, missing: 0, unaccounted: 0 } });

    await eventually(async () => events.some((e) => e.name === 'par.completed'), 10_000, 'par.completed');
    const acks = events
      .filter((e): e is LiveEvent<'par.acknowledged'> => e.name === 'par.acknowledged' && (e.payload as LiveEventMap['par.acknowledged']).parId === parId)
      .sort((a, b) => a.seq - b.seq);
    // Requests committed together share one event: fewer events than accepted requests.
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.length).toBeLessThan(accepted.length);
    let running = 0;
    const announced = new Map<string, string>();
    for (const e of acks) {
      for (const part of e.payload.acknowledgements) {
        // One part per acknowledger and channel: the station's scans and the commander's taps, never mixed up.
        expect([part.via, part.by]).toEqual(part.via === 'scan' ? ['scan', 'checkin'] : ['board', 'commander']);
        for (const id of part.deploymentIds) {
          expect(announced.has(id)).toBe(false);
          announced.set(id, part.via);
        }
        running += part.deploymentIds.length;
      }
      expect(e.payload.acknowledgements.filter((p, i, all) => all.findIndex((q) => q.via === p.via && q.by === p.by) !== i)).toEqual([]);
      expect(e.payload.counts).toEqual({ expected: 24, accounted: running, missing: 0, unaccounted: 24 - running });
    }
    // Every board learns of everyone accounted, each once, with how they were accounted for.
    expect(new Map([...announced].sort())).toEqual(new Map([...expectedVia].sort()));
    const completed = events.find((e) => e.name === 'par.completed')!;
    expect(completed.seq).toBeGreaterThan(acks[acks.length - 1].seq);

    const audit = await request(world.http)
      .get('/audit/entries')
      .query({ incidentId, action: 'par.acknowledged' })
      .set(...bearer(world.adminToken))
      .expect(200);
    expect((audit.body.entries as Array<{ targetId: string }>).filter((e) => e.targetId === parId)).toHaveLength(accepted.length);
  });
});
