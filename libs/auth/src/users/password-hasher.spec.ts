import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain('correct horse');
    await expect(hasher.verify('correct horse battery', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterx', stored)).resolves.toBe(false);
    await expect(hasher.verify('x', 'garbage')).resolves.toBe(false);
  });
  it('salts every hash', async () => {
    expect(await hasher.hash('same')).not.toEqual(await hasher.hash('same'));
  });
});
