import { useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api } from '../session';
import { formatDate } from '../text';
import { splitList } from './users-admin';

/** An issuer in the trust registry (libs/trust TrustedIssuerView). */
export interface TrustedIssuerView {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  validFrom: string | null;
  validUntil: string | null;
  retiredAt: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface TrustListImportSummary {
  digest: string;
  issuers: number;
  qualifications: number;
  added: string[];
  updated: string[];
  removed: string[];
}

const issuerPath = (id: string): string => `/trust/issuers/${encodeURIComponent(id)}`;

/** Which issuers (licensing boards, certifiers) are trusted, for which qualifications, where; import and export. */
export function TrustAdmin() {
  const issuers = useAsync(() => api.get<TrustedIssuerView[]>('/trust/issuers', { query: { includeRetired: 'true' } }), []);
  return (
    <section aria-labelledby="trust-title">
      <h2 id="trust-title">Trust registry</h2>
      <p class="hint">Check-in shows an issuer's name from this registry, never the name a credential claims for itself.</p>
      <AddIssuer onAdded={issuers.reload} />
      <ImportExport onImported={issuers.reload} />
      {issuers.loading && !issuers.data && <Loading what="the trust registry" />}
      <ErrorNotice error={issuers.error} />
      {issuers.data && (
        <table class="data-table" data-testid="issuers">
          <caption>{issuers.data.length} issuers</caption>
          <thead>
            <tr>
              <th scope="col">Name (shown at check-in)</th>
              <th scope="col">Identifier</th>
              <th scope="col">Jurisdictions</th>
              <th scope="col">Qualifications</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {issuers.data.map((i) => (
              <IssuerRow key={i.id} issuer={i} onChanged={issuers.reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function issuerState(i: TrustedIssuerView): string {
  if (i.retiredAt) return `Retired ${formatDate(i.retiredAt)}`;
  if (!i.active) return i.validFrom && new Date(i.validFrom) > new Date() ? `Trusted from ${formatDate(i.validFrom)}` : `Expired ${formatDate(i.validUntil)}`;
  return i.validUntil ? `Trusted until ${formatDate(i.validUntil)}` : 'Trusted';
}

function IssuerRow({ issuer, onChanged }: { issuer: TrustedIssuerView; onChanged: () => void }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'retire'>('view');
  const [jurisdictions, setJurisdictions] = useState(issuer.jurisdictions.join(', '));
  const [qualifications, setQualifications] = useState(issuer.qualifications.join(', '));
  const [reason, setReason] = useState('');
  const action = useAction();
  const retired = !!issuer.retiredAt;
  const key = encodeURIComponent(issuer.id);

  const save = async (): Promise<void> => {
    const done = await action.run(() =>
      api.patch<TrustedIssuerView>(issuerPath(issuer.id), {
        jurisdictions: splitList(jurisdictions.toUpperCase()),
        qualifications: splitList(qualifications.toUpperCase()),
      }),
    );
    if (done) {
      setMode('view');
      onChanged();
    }
  };
  const retire = async (): Promise<void> => {
    const done = await action.run(() => api.post<TrustedIssuerView>(`${issuerPath(issuer.id)}/retire`, reason.trim() ? { reason: reason.trim() } : {}));
    if (done) {
      setMode('view');
      onChanged();
    }
  };

  return (
    <tr class={retired || !issuer.active ? 'inactive' : ''} data-issuer={issuer.id}>
      <td>{issuer.name}</td>
      <td class="mono wrap">{issuer.id}</td>
      <td>
        {mode === 'edit' ? (
          <>
            <label class="sr-only" for={`j-${key}`}>
              Jurisdictions of {issuer.name}
            </label>
            <input id={`j-${key}`} type="text" size={10} value={jurisdictions} onInput={(e) => setJurisdictions(e.currentTarget.value)} />
          </>
        ) : (
          issuer.jurisdictions.join(', ')
        )}
      </td>
      <td>
        {mode === 'edit' ? (
          <>
            <label class="sr-only" for={`q-${key}`}>
              Qualifications of {issuer.name}
            </label>
            <input id={`q-${key}`} type="text" size={12} value={qualifications} onInput={(e) => setQualifications(e.currentTarget.value)} />
          </>
        ) : (
          issuer.qualifications.join(', ')
        )}
      </td>
      <td>{issuerState(issuer)}</td>
      <td class="cell-actions">
        {!retired && mode === 'view' && (
          <>
            <button type="button" class="button-small" onClick={() => setMode('edit')}>
              Edit
            </button>
            <button type="button" class="button-small" onClick={() => setMode('retire')}>
              Retire…
            </button>
          </>
        )}
        {mode === 'edit' && (
          <>
            <button type="button" class="button-small" disabled={action.busy} onClick={() => void save()}>
              Save
            </button>
            <button type="button" class="button-small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </>
        )}
        {mode === 'retire' && (
          <>
            <label class="sr-only" for={`r-${key}`}>
              Reason for retiring {issuer.name}
            </label>
            <input id={`r-${key}`} type="text" placeholder="Reason (optional)" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            <button type="button" class="button-danger button-small" disabled={action.busy} onClick={() => void retire()}>
              Confirm retire
            </button>
            <button type="button" class="button-small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </>
        )}
        <ErrorNotice error={action.error} />
      </td>
    </tr>
  );
}

function AddIssuer({ onAdded }: { onAdded: () => void }) {
  const empty = { id: '', name: '', jurisdictions: 'US-FL', qualifications: '', algorithms: '' };
  const [form, setForm] = useState(empty);
  const [done, setDone] = useState<string | undefined>(undefined);
  const action = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setDone(undefined);
    const added = await action.run(() =>
      api.post<TrustedIssuerView>('/trust/issuers', {
        id: form.id.trim(),
        name: form.name.trim(),
        jurisdictions: splitList(form.jurisdictions.toUpperCase()),
        qualifications: splitList(form.qualifications.toUpperCase()),
        algorithms: form.algorithms.trim() ? splitList(form.algorithms.toUpperCase()) : undefined,
      }),
    );
    if (added) {
      setDone(`${added.name} is now trusted.`);
      setForm(empty);
      onAdded();
    }
  };
  return (
    <details class="panel">
      <summary>Trust a new issuer</summary>
      <form class="row" onSubmit={(e) => void submit(e)}>
        <div class="field field-wide">
          <label for="issuer-id">Issuer identifier (DID or URL)</label>
          <input
            id="issuer-id"
            type="text"
            required
            placeholder="did:web:boards.example.org:fl:nursing"
            value={form.id}
            onInput={(e) => setForm({ ...form, id: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="issuer-name">Name shown at check-in</label>
          <input
            id="issuer-name"
            type="text"
            required
            placeholder="Florida Board of Nursing"
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="issuer-jurisdictions">Jurisdictions (US-xx, or US)</label>
          <input
            id="issuer-jurisdictions"
            type="text"
            required
            value={form.jurisdictions}
            onInput={(e) => setForm({ ...form, jurisdictions: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="issuer-qualifications">Qualifications</label>
          <input
            id="issuer-qualifications"
            type="text"
            placeholder="RN, LPN"
            value={form.qualifications}
            onInput={(e) => setForm({ ...form, qualifications: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="issuer-algorithms">Algorithms (optional)</label>
          <input
            id="issuer-algorithms"
            type="text"
            placeholder="ES256, EdDSA"
            value={form.algorithms}
            onInput={(e) => setForm({ ...form, algorithms: e.currentTarget.value })}
          />
        </div>
        <div class="field field-button">
          <button type="submit" class="button-primary" disabled={action.busy}>
            Trust issuer
          </button>
        </div>
      </form>
      <ErrorNotice error={action.error} />
      {done && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {done}
        </p>
      )}
    </details>
  );
}

/** The whole registry as one trust-list document (format responder-checkin/trust-list): export, or import to replace. */
function ImportExport({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [done, setDone] = useState<string | undefined>(undefined);
  const [confirm, setConfirm] = useState(false);
  const action = useAction();

  const readFile = async (file: File | undefined): Promise<void> => {
    if (file) setText(await file.text());
  };
  const importList = async (e: Event): Promise<void> => {
    e.preventDefault();
    setDone(undefined);
    if (!confirm) {
      setConfirm(true);
      return;
    }
    setConfirm(false);
    const res = await action.run(async () => {
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        throw new Error('The trust list is not valid JSON.');
      }
      return api.put<TrustListImportSummary>('/trust/list', document);
    });
    if (res) {
      setDone(
        `Imported: ${res.issuers} issuers, ${res.qualifications} qualifications (${res.added.length} added, ${res.updated.length} updated, ${res.removed.length} removed).`,
      );
      setText('');
      onImported();
    }
  };

  return (
    <details class="panel">
      <summary>Import or export the trust list</summary>
      <div class="actions">
        <button
          type="button"
          class="button-secondary"
          disabled={action.busy}
          onClick={() => void action.run(async () => setDone(`Downloaded ${await api.download('/trust/list', 'trust-list.json')}.`))}
        >
          <span aria-hidden="true">⬇ </span>Export trust list (JSON)
        </button>
      </div>
      <form onSubmit={(e) => void importList(e)}>
        <div class="field">
          <label for="trust-file">Trust list file</label>
          <input id="trust-file" type="file" accept="application/json,.json" onChange={(e) => void readFile(e.currentTarget.files?.[0])} />
        </div>
        <div class="field">
          <label for="trust-text">…or paste it</label>
          <textarea id="trust-text" rows={4} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        {confirm && (
          <p class="notice notice-warn" role="alert">
            <span aria-hidden="true">⚠ </span>Importing replaces the whole registry with this list. Press the button again to confirm.
          </p>
        )}
        <button type="submit" class={confirm ? 'button-danger' : 'button-primary'} disabled={action.busy || !text.trim()}>
          {confirm ? 'Confirm: replace the registry' : 'Import trust list'}
        </button>
      </form>
      <ErrorNotice error={action.error} />
      {done && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {done}
        </p>
      )}
    </details>
  );
}
