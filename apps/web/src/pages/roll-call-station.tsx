import { useEffect, useRef, useState } from 'preact/hooks';
import type { Par } from '../api/types';
import { Notice } from '../components/notices';
import { toApiError, useAsync } from '../components/use-async';
import { CameraScanner } from '../scan/camera-scanner';
import { api } from '../session';

const RUNNING_REFRESH_MS = 10_000;

/** What a refused roll-call scan means for the person at the station. */
const REFUSAL_WORD: Record<string, string> = {
  par_already_marked: 'Already accounted for',
  par_not_in_scope: 'Not on this roll call',
  par_scan_not_on_scene: 'Not on scene at this incident',
  par_scan_unverified: 'Badge not valid',
  par_not_running: 'The roll call has ended',
};

interface ScanAnswer {
  par: Par;
  member: { deploymentId: string; name: string; assignment: string | null };
}

type Outcome = { kind: 'accounted'; answer: ScanAnswer } | { kind: 'refused'; code: string; message: string };

/** The incident's running roll calls, polled: a station offers its "Roll call" mode only while one runs. */
export function useRunningPars(incidentId: string | undefined) {
  const running = useAsync(
    () => (incidentId ? api.get<Par[]>(`/incidents/${incidentId}/pars`, { query: { state: 'running' } }) : Promise.resolve([])),
    [incidentId],
  );
  useEffect(() => {
    const t = setInterval(() => running.reload(), RUNNING_REFRESH_MS);
    return () => clearInterval(t);
  }, [running.reload]);
  return running;
}

/** The station's "Roll call" mode: each badge scanned accounts for its holder on the running PAR. */
export function RollCallStation({ incidentId, pars }: { incidentId: string; pars: Par[] }) {
  const [parId, setParId] = useState(pars[0]?.id ?? '');
  const par = pars.find((p) => p.id === parId) ?? pars[0];
  const [scanText, setScanText] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [counts, setCounts] = useState<Par['counts'] | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setCounts(undefined);
    input.current?.focus();
  }, [par?.id]);

  if (!par) return <Notice kind="info">No roll call is running.</Notice>;

  const submitScan = (text: string): void => {
    const credential = text.trim();
    setScanText('');
    if (!credential || busy) return;
    setBusy(true);
    api
      .post<ScanAnswer>(`/incidents/${incidentId}/pars/${par.id}/scans`, { credential })
      .then(
        (answer) => {
          setOutcome({ kind: 'accounted', answer });
          setCounts(answer.par.counts);
        },
        (err: unknown) => {
          const e = toApiError(err);
          setOutcome({ kind: 'refused', code: e.code, message: e.plain });
        },
      )
      .finally(() => {
        setBusy(false);
        input.current?.focus({ preventScroll: true });
      });
  };
  const shown = counts ?? par.counts;

  return (
    <section class="roll-call-station" aria-label="Roll call scans">
      {pars.length > 1 && (
        <div class="field">
          <label for="station-par">Roll call</label>
          <select id="station-par" value={par.id} onChange={(e) => setParId(e.currentTarget.value)}>
            {pars.map((p) => (
              <option key={p.id} value={p.id}>
                {p.assignment ?? 'Whole incident'}
              </option>
            ))}
          </select>
        </div>
      )}
      <p class="roll-call-station-head" data-testid="station-par">
        Roll call: <strong>{par.assignment ?? 'Whole incident'}</strong> · {shown.accounted} of {shown.expected} accounted for
      </p>
      <form
        class="scanner"
        aria-label="Scan a badge for the roll call"
        onSubmit={(e) => {
          e.preventDefault();
          submitScan(scanText);
        }}
      >
        <label for="par-scan-input">Scan a badge to account for its holder</label>
        <div class="scanner-row">
          <input
            id="par-scan-input"
            ref={input}
            class="scan-input"
            type="text"
            inputMode="none"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            maxLength={65536}
            value={scanText}
            onInput={(e) => setScanText(e.currentTarget.value)}
          />
          <button type="submit" class="button-primary" disabled={!scanText.trim() || busy}>
            Accounted
          </button>
        </div>
        <CameraScanner onScan={submitScan} />
      </form>
      {outcome?.kind === 'accounted' && (
        <section class="result result-admitted" aria-label="Result" data-testid="par-scan-result" data-outcome="accounted" role="status">
          <p class="result-word">
            <span aria-hidden="true">✔ </span>ACCOUNTED
          </p>
          <p class="result-name">
            {outcome.answer.member.name}
            {outcome.answer.member.assignment ? ` (${outcome.answer.member.assignment})` : ''}
          </p>
        </section>
      )}
      {outcome?.kind === 'refused' && (
        <section class="result result-denied" aria-label="Result" data-testid="par-scan-result" data-outcome={outcome.code} role="alert">
          <p class="result-word">
            <span aria-hidden="true">✖ </span>
            {REFUSAL_WORD[outcome.code] ?? 'Not recorded'}
          </p>
          <p>{outcome.message}</p>
        </section>
      )}
    </section>
  );
}
