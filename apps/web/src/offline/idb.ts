/** A small promise wrapper over IndexedDB: the station's durable store (survives reloads, offline and crashes). */
const DB_NAME = 'responder-checkin-offline';
const VERSION = 2;
export const STATIONS = 'stations';
export const LOG = 'log';
/** The commander board's last state per incident, so a reload with no network still shows it (marked as of when). */
export const BOARDS = 'boards';

let opened: Promise<IDBDatabase> | undefined;

export function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STATIONS)) db.createObjectStore(STATIONS, { keyPath: 'incidentId' });
      if (!db.objectStoreNames.contains(LOG)) db.createObjectStore(LOG, { keyPath: ['deviceId', 'seq'] });
      if (!db.objectStoreNames.contains(BOARDS)) db.createObjectStore(BOARDS, { keyPath: 'incidentId' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
  });
  return opened;
}

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

export async function get<T>(store: string, key: IDBValidKey): Promise<T | undefined> {
  const db = await database();
  return (await done(db.transaction(store).objectStore(store).get(key))) as T | undefined;
}

export async function all<T>(store: string, range?: IDBKeyRange): Promise<T[]> {
  const db = await database();
  return (await done(db.transaction(store).objectStore(store).getAll(range))) as T[];
}

/** Writes the values in one transaction and resolves only once it committed (durable before the result is shown). */
export async function put(writes: Array<{ store: string; value: unknown }>): Promise<void> {
  const db = await database();
  const names = [...new Set(writes.map((w) => w.store))];
  const tx = db.transaction(names, 'readwrite', { durability: 'strict' });
  for (const w of writes) tx.objectStore(w.store).put(w.value);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  });
}
