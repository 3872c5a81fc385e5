/** The professions a licence can be looked up for at its primary source, as the station offers them. */
export const PROFESSIONS: Array<[string, string]> = [
  ['RN', 'Registered nurse'],
  ['LPN', 'Licensed practical nurse'],
  ['APRN', 'Advanced practice nurse'],
  ['PARAMEDIC', 'Paramedic'],
  ['EMT', 'EMT'],
  ['MD', 'Physician'],
];
