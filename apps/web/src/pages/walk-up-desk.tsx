import { useState } from 'preact/hooks';
import type { Incident, WalkUp, WalkUpBadge } from '../api/types';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api } from '../session';
import { formatTime } from '../text';
import { PROFESSIONS } from '../professions';

const GENERAL_SUPPORT = 'GENERAL_SUPPORT';
const ID_TYPES = ['Driver licence', 'State ID card', 'Passport', 'Military ID', 'Other photo ID'];

interface IntakeForm {
  name: string;
  contact: string;
  claimed: string;
  idType: string;
  statement: string;
  agency: string;
  homeState: string;
  positionId: string;
}
const EMPTY: IntakeForm = { name: '', contact: '', claimed: '', idType: ID_TYPES[0], statement: '', agency: '', homeState: '', positionId: '' };

/**
 * The walk-up desk at the check-in station: volunteers without a badge are taken in with the ID staff saw, pending
 * verification (general-support positions only), given a printed temporary badge, and verified later in place.
 */
export function WalkUpDesk({ incident }: { incident: Incident }) {
  const [form, setForm] = useState<IntakeForm>(EMPTY);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [badge, setBadge] = useState<WalkUpBadge | undefined>(undefined);
  const intake = useAction();
  const walkUps = useAsync(() => api.get<WalkUp[]>(`/incidents/${incident.id}/walk-ups`), [incident.id]);
  const support = incident.positions.filter((p) => p.requiredQualifications.includes(GENERAL_SUPPORT));
  const set = (field: keyof IntakeForm) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [field]: e.currentTarget.value });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const created = await intake.run(() =>
      api.post<WalkUp>(`/incidents/${incident.id}/walk-ups`, {
        name: form.name.trim(),
        contact: form.contact.trim(),
        claimedQualifications: form.claimed
          .split(',')
          .map((q) => q.trim().toUpperCase())
          .filter(Boolean),
        idSeen: { type: form.idType, statement: form.statement.trim() },
        agency: form.agency.trim() || undefined,
        homeState: form.homeState.trim().toUpperCase() || undefined,
        positionId: form.positionId || undefined,
      }),
    );
    if (created) {
      setForm(EMPTY);
      setDone(`${created.name} is checked in, pending verification.`);
      walkUps.reload();
    }
  };

  return (
    <section class="walk-up-desk" aria-labelledby="walk-up-title">
      <h2 id="walk-up-title">Walk-up volunteers</h2>
      <details class="walk-up-intake">
        <summary>Take in a walk-up volunteer (no badge)</summary>
        <form onSubmit={(e) => void submit(e)} aria-label="Walk-up intake">
          <div class="row">
            <Field id="wu-name" label="Full name" value={form.name} onInput={set('name')} required />
            <Field id="wu-contact" label="Phone or e-mail" value={form.contact} onInput={set('contact')} required />
            <Field id="wu-claimed" label="Qualifications they claim (e.g. RN, EMT)" value={form.claimed} onInput={set('claimed')} />
          </div>
          <div class="row">
            <div class="field">
              <label for="wu-id-type">ID seen</label>
              <select id="wu-id-type" value={form.idType} onChange={set('idType')}>
                {ID_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <Field id="wu-statement" label="What you checked (your statement)" value={form.statement} onInput={set('statement')} required />
          </div>
          <div class="row">
            <Field id="wu-agency" label="Agency (optional)" value={form.agency} onInput={set('agency')} />
            <Field id="wu-home-state" label="Home state (optional, e.g. FL)" value={form.homeState} onInput={set('homeState')} />
            <div class="field">
              <label for="wu-position">General-support position</label>
              <select id="wu-position" value={form.positionId} onChange={set('positionId')}>
                <option value="">None yet</option>
                {support.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <p class="hint">A walk-up may take general-support positions only until a credential or the licensing board verifies them.</p>
          <button type="submit" class="button-primary" disabled={intake.busy}>
            Check in as walk-up
          </button>
          {done && !intake.error && <Notice kind="ok">{done}</Notice>}
          <ErrorNotice error={intake.error} prefix="The walk-up was not taken in" />
        </form>
      </details>

      {walkUps.error && <ErrorNotice error={walkUps.error} />}
      {!walkUps.data && !walkUps.error && <Loading what="the walk-ups" />}
      {walkUps.data && walkUps.data.length === 0 && <p>No walk-ups at this incident.</p>}
      {walkUps.data && walkUps.data.length > 0 && (
        <ul class="walk-up-list" data-testid="walk-ups">
          {walkUps.data.map((w) => (
            <WalkUpItem key={w.id} walkUp={w} incident={incident} onBadge={setBadge} onChanged={walkUps.reload} />
          ))}
        </ul>
      )}
      {badge && <PrintableBadge badge={badge} onClose={() => setBadge(undefined)} />}
    </section>
  );
}

function WalkUpItem({
  walkUp,
  incident,
  onBadge,
  onChanged,
}: {
  walkUp: WalkUp;
  incident: Incident;
  onBadge: (b: WalkUpBadge) => void;
  onChanged: () => void;
}) {
  const [credential, setCredential] = useState('');
  const [licence, setLicence] = useState({ licenceNumber: '', state: '', profession: 'RN', twoFormsOfIdSeen: false });
  const action = useAction();
  const base = `/incidents/${incident.id}/walk-ups/${walkUp.id}`;
  const pending = walkUp.status === 'pending_verification';
  const active = walkUp.deployment.checkedOutAt === null;

  const printBadge = async (): Promise<void> => {
    const badge = await action.run(() => api.post<WalkUpBadge>(`${base}/badge`, {}));
    if (badge) onBadge(badge);
  };
  const verify = async (e: Event): Promise<void> => {
    e.preventDefault();
    const updated = await action.run(() => api.post<WalkUp>(`${base}/upgrade`, { credential: credential.trim() }));
    if (updated) {
      setCredential('');
      onChanged();
    }
  };

  const checkLicence = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body = { ...licence, licenceNumber: licence.licenceNumber.trim(), state: licence.state.trim().toUpperCase() };
    const updated = await action.run(() => api.post<WalkUp>(`${base}/licence-check`, body));
    if (updated) {
      setLicence({ licenceNumber: '', state: '', profession: 'RN', twoFormsOfIdSeen: false });
      onChanged();
    }
  };
  const id = walkUp.id;

  return (
    <li data-testid="walk-up" data-status={walkUp.status}>
      <strong>{walkUp.name}</strong>
      <span class={pending ? 'pending-pill' : 'level-pill'}>{pending ? 'Pending verification' : `Verified: ${walkUp.verifiedQualifications.join(', ')}`}</span>
      <span>{walkUp.deployment.position?.name ?? 'No position'}</span>
      {walkUp.claimedQualifications.length > 0 && <span class="hint">Claims {walkUp.claimedQualifications.join(', ')}</span>}
      <span class="hint">{active ? `In since ${formatTime(walkUp.registeredAt)}` : 'Checked out'}</span>
      <button type="button" class="button-small" disabled={action.busy} onClick={() => void printBadge()}>
        Print temporary badge
      </button>
      {pending && active && (
        <form class="inline-form" onSubmit={(e) => void verify(e)} aria-label={`Verify ${walkUp.name} with a credential`}>
          <label class="sr-only" for={`wu-cred-${walkUp.id}`}>
            Scan or paste {walkUp.name}'s verifiable credential
          </label>
          <input
            id={`wu-cred-${walkUp.id}`}
            type="text"
            autocomplete="off"
            placeholder="Scan their credential to verify"
            value={credential}
            maxLength={65536}
            onInput={(e) => setCredential(e.currentTarget.value)}
          />
          <button type="submit" class="button-small" disabled={action.busy || !credential.trim()}>
            Verify by credential
          </button>
        </form>
      )}
      {pending && active && (
        <form class="inline-form" onSubmit={(e) => void checkLicence(e)} aria-label={`Verify ${walkUp.name} by licence number`}>
          <input
            id={`wu-lic-${id}`}
            aria-label={`${walkUp.name}: licence number`}
            placeholder="Licence number"
            type="text"
            autocomplete="off"
            maxLength={40}
            value={licence.licenceNumber}
            onInput={(e) => setLicence({ ...licence, licenceNumber: e.currentTarget.value })}
          />
          <input
            id={`wu-state-${id}`}
            aria-label={`${walkUp.name}: licence state`}
            placeholder="State"
            type="text"
            autocomplete="off"
            maxLength={2}
            size={3}
            value={licence.state}
            onInput={(e) => setLicence({ ...licence, state: e.currentTarget.value })}
          />
          <select
            id={`wu-prof-${id}`}
            aria-label={`${walkUp.name}: profession`}
            value={licence.profession}
            onChange={(e) => setLicence({ ...licence, profession: e.currentTarget.value })}
          >
            {PROFESSIONS.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
          <label>
            <input type="checkbox" checked={licence.twoFormsOfIdSeen} onChange={(e) => setLicence({ ...licence, twoFormsOfIdSeen: e.currentTarget.checked })} />{' '}
            Two forms of ID seen for {walkUp.name}
          </label>
          <button
            type="submit"
            class="button-small"
            disabled={action.busy || !licence.licenceNumber.trim() || licence.state.trim().length !== 2 || !licence.twoFormsOfIdSeen}
          >
            Verify by licence
          </button>
        </form>
      )}
      <ErrorNotice error={action.error} />
    </li>
  );
}

/** The temporary badge as printed: the QR code the station scans, the name, the incident and the expiry. */
function PrintableBadge({ badge, onClose }: { badge: WalkUpBadge; onClose: () => void }) {
  const print = (): void => {
    document.body.classList.add('printing-badge');
    window.addEventListener('afterprint', () => document.body.classList.remove('printing-badge'), { once: true });
    window.print();
  };
  return (
    <div class="walk-up-badge-panel">
      <div class="walk-up-badge" data-testid="walk-up-badge">
        <p class="badge-title">
          <strong>TEMPORARY INCIDENT BADGE</strong>
        </p>
        <p class="badge-name">{badge.name}</p>
        <p>{badge.incident}</p>
        <p>Walk-up volunteer · general support only until verified</p>
        {/* The server renders the SVG with the qrcode package from the badge it just signed. */}
        <div class="badge-qr" role="img" aria-label={`QR code of ${badge.name}'s temporary badge`} dangerouslySetInnerHTML={{ __html: badge.qrSvg }} />
        <p>
          Valid until <time dateTime={badge.expiresAt}>{formatTime(badge.expiresAt)}</time>
        </p>
      </div>
      <div class="actions">
        <button type="button" class="button-primary" onClick={print}>
          Print
        </button>
        <button type="button" class="button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

function Field({
  id,
  label,
  value,
  onInput,
  required,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (e: { currentTarget: { value: string } }) => void;
  required?: boolean;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="text" value={value} maxLength={200} required={required} onInput={onInput} />
    </div>
  );
}
