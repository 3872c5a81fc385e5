import { isTimeZone } from './time-zone';

describe('isTimeZone', () => {
  it.each(['UTC', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Etc/GMT+5', 'EST5EDT', 'Europe/Kyiv'])('accepts %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus_Mons', 'America/Nowhere', '', 'UTC+3', '+01:00', 'America/New York', 'America/New_York; DROP', '../etc/passwd', 'x'.repeat(65)])(
    'refuses %j',
    (zone) => {
      expect(isTimeZone(zone)).toBe(false);
    },
  );

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 0, {}, ['UTC']]) expect(isTimeZone(value)).toBe(false);
  });
});
